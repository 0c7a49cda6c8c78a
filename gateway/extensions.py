"""The schema extensions the gateway runs every operation through, from settings.

They run composed into one Strawberry extension (``gateway.pipeline``): the same
checks in the same order, without Strawberry's per-extension cost per request.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import AddValidationRules, DisableIntrospection, MaxTokensLimiter

from gateway.demand_control import demand_control
from gateway.document_cache import ParsedDocuments, ValidatedDocuments
from gateway.document_shape import alias_limit_rule, depth_limit_rule, field_limit_rule
from gateway.errors import MaskInternalErrors
from gateway.introspection_limits import introspection_depth_rule, introspection_width_rule
from gateway.observability import OperationObserver
from gateway.operation_choice import RequireOperationName
from gateway.pipeline import compose
from gateway.saved_only import saved_queries_only
from gateway.settings import Settings


def gateway_extensions(settings: Settings) -> list[Any]:
    """The gateway's checks (``gateway_extension_list``) as Strawberry runs them: composed."""
    return compose(gateway_extension_list(settings))


def gateway_extension_list(settings: Settings) -> list[Any]:
    """Limits first (cheap rejections), caches next, the operation choice, error masking last.

    The token limit also bounds the parser's work. The depth limit skips
    introspection fields: graphql-core's default rules bound their list nesting,
    ``introspection_depth_rule`` their plain depth. The depth and alias limits
    measure each fragment once (``gateway.document_shape``), not once per spread.
    """
    # The limits' validation rules are built once: the validation cache is keyed by
    # the rule classes, and per-request rule classes would make every lookup a miss.
    rules = [
        depth_limit_rule(settings.max_depth),
        alias_limit_rule(settings.max_aliases),
        field_limit_rule(settings.max_fields),
        introspection_depth_rule(settings.max_introspection_depth),
        introspection_width_rule(settings.max_introspection_fields),
    ]
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        ParsedDocuments,
        ValidatedDocuments,
        RequireOperationName,  # after ValidatedDocuments: validation errors come first
        demand_control(
            settings.max_cost,
            settings.cost_list_sizes,
            max_list_items=settings.max_list_items,
            max_answer_items=settings.max_answer_items,
            deadline_ms=settings.request_deadline_ms,
        ),
        MaskInternalErrors,
        OperationObserver,
    ]
    if settings.saved_queries_only:  # its refusal replaces the validation's answer
        extensions.insert(
            extensions.index(ValidatedDocuments) + 1, saved_queries_only(settings.queries_dir)
        )
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return extensions
