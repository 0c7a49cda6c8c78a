"""What a client is told when something fails: typed errors pass, everything else is masked.

Source and input errors carry ``extensions.code`` and reach the client as they
are. Any other exception is a bug: the client gets a generic message and the
request id, the log gets the traceback with the same id.
"""

from __future__ import annotations

import logging

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

log = logging.getLogger("c360.errors")


def is_expected(error: GraphQLError) -> bool:
    """Parse/validation errors and errors that say their own code are meant for the client."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return True
    extensions = getattr(original, "extensions", None)
    return isinstance(extensions, dict) and "code" in extensions


class MaskInternalErrors(MaskErrors):
    """``MaskErrors`` that keeps typed errors, logs the masked ones and names the request."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: not is_expected(error),
            error_message="Internal server error; quote extensions.requestId when reporting it.",
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        log.error(
            "internal error at %s (request %s)",
            ".".join(str(p) for p in error.path or ()),
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
