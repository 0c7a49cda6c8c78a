"""A time a source writes in a way the mapping cannot read is the source's bad answer.

Epoch milliseconds (``1764662400000``, as JavaScript and many SaaS APIs write
times) are read as seconds, 57,889 years ahead: ``datetime.fromtimestamp``
raises ``ValueError``, which escaped the mapping as an internal error (the field
answered ``INTERNAL_SERVER_ERROR``) instead of ``SOURCE_BAD_RESPONSE`` naming the
path. Pinned as an expected failure (strict) for whoever fixes
``resolvers/system/mapping.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.system.mapping import BadValue, RecordMapper
from resolvers.system.records import Ticket

MAPPER = RecordMapper(
    "helpdesk", "tickets", Ticket, {"id": "id", "status": "s", "updated_at": "t"}, "test"
)


def test_epoch_seconds_are_read() -> None:
    ticket = MAPPER.map_one({"id": "T1", "s": "open", "t": 1764662400})
    assert ticket.updated_at == datetime(2025, 12, 2, 8, 0, tzinfo=UTC)


@pytest.mark.xfail(
    strict=True,
    raises=(ValueError, OverflowError),
    reason="mapping._to_datetime lets datetime.fromtimestamp's ValueError and "
    "OverflowError through (board 16:37 D)",
)
@pytest.mark.parametrize("value", [1764662400000, 10.0**20], ids=["epoch-ms", "huge"])
def test_a_time_out_of_range_names_its_path(value: float) -> None:
    with pytest.raises(BadValue, match="'t'"):
        MAPPER.map_one({"id": "T1", "s": "open", "t": value})
