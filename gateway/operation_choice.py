"""Which operation of a document runs: the one the request names, never a guess.

The GraphQL spec (GetOperation) makes ``operationName`` required when a
document holds several operations. Strawberry 0.341.2 fills a missing name with
the first operation's and runs it, so a client that forgot the name gets an
answer to a question it may not have meant. ``RequireOperationName`` turns that
into a request error (HTTP 400, code ``OPERATION_RESOLUTION_FAILURE``, as
Apollo Server names it) after validation and before any resolver runs. An
``operationName`` that names no operation is refused by Strawberry already
(the view gives it the same code).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"


def requested_operation_name(execution_context: ExecutionContext) -> str | None:
    """The ``operationName`` the request sent (None when it sent none).

    ``ExecutionContext.operation_name`` answers the first operation's name when
    the request named none, so it cannot tell the two apart; the name as sent is
    kept in ``_provided_operation_name`` (checked against strawberry-graphql
    0.341.2; tests/gateway/test_operation_choice.py fails if it goes away).
    """
    name: str | None = execution_context._provided_operation_name
    return name


def operation_names(document: DocumentNode) -> list[str]:
    """Every operation of ``document`` by name, ``(anonymous)`` for one without."""
    return [
        definition.name.value if definition.name else "(anonymous)"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def several_operations_error(names: list[str]) -> GraphQLError:
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return GraphQLError(
        f"The document holds {len(names)} operations ({shown}): operationName is required "
        "to choose the one to run.",
        extensions={"code": OPERATION_RESOLUTION_FAILURE},
    )


class RequireOperationName(SchemaExtension):
    """Refuses a document with several operations and no ``operationName``.

    Runs in ``on_validate`` after ``ValidatedDocuments`` (list it after that
    extension): a document that does not validate keeps its validation errors,
    as the spec orders the checks; a valid one gets this request error instead
    of an execution.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if (
            document is not None
            and not context.pre_execution_errors
            and requested_operation_name(context) is None
        ):
            names = operation_names(document)
            if len(names) > 1:
                # Strawberry answers the errors found by now without executing anything.
                context.pre_execution_errors = [several_operations_error(names)]
        yield
