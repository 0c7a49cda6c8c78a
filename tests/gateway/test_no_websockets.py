"""The gateway serves GraphQL over HTTP only: a websocket to /graphql is refused at the handshake.

The schema has no subscriptions. A socket Strawberry accepted (graphql-transport-ws
or graphql-ws) ran queries and mutations outside the HTTP admission limits: one
socket ran 100 operations at once where one HTTP client gets 64, and N sockets got
N x 100, past the global in-flight limit.
"""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.gateway.wire import request


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_a_websocket_to_graphql_is_refused_and_http_still_serves(
    gateway_url: str, protocol: str
) -> None:
    url = gateway_url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=[protocol], open_timeout=10):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 403
    reply = await request(gateway_url, json={"query": "{ __typename }"})
    assert (reply.status, reply.body) == (200, {"data": {"__typename": "Query"}})
