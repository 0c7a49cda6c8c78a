"""Saved queries as REST: ``GET /views/agent?phone=...`` answers the saved query's JSON.

So a screen embeds anywhere a URL does (a CRM sidebar, a BI tool, a web page).
Query parameters become the saved query's variables, typed by its declaration.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.graphql_http import failed_before_execution, with_pre_execution_code
from gateway.graphql_view import error_response
from gateway.request_context import new_context
from gateway.saved_queries import SavedQuery


async def saved_view(request: Request) -> Response:
    name = request.path_params["name"]
    saved: dict[str, SavedQuery] = request.app.state.saved_queries
    query = saved.get(name)
    if query is None:
        known = ", ".join(sorted(saved)) or "none"
        return error_response(404, f"no saved view named '{name}' (known: {known})", "NOT_FOUND")
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    try:
        variables = query.variables_from_params(params)
    except ValueError as exc:
        return error_response(400, str(exc), "BAD_USER_INPUT")
    response = Response(media_type="application/json")
    context = new_context(request, response, request.app.state.settings)
    # The same pipeline as /graphql: compiled plan, masking, metrics and freshness alike.
    result = await request.app.state.schema.execute(
        query.text, variable_values=variables, context_value=context
    )
    # A request error (a variable out of its type's range, a refused cost) is shaped as
    # /graphql shapes it: no data, each error with its code. A view that answers no data
    # at all (a parameter its resolver refuses, as ?months=99) is a 400 too: it is REST.
    body: dict[str, Any] = {}
    if failed_before_execution(result.data, result.errors):
        body["errors"] = [with_pre_execution_code(e) for e in result.errors or ()]
    else:
        body["data"] = result.data
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    status = 400 if result.data is None and result.errors else 200
    headers = {"x-request-id": context.request_id}
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )
