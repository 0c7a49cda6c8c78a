"""What README's "Fields." paragraph tells a newcomer about mapping a foreign record holds.

Its example (a help desk's nested, non-ISO, oddly named record) maps as written,
the conversions it promises happen, and the status words it lists are the ones
the process layer reads, so the paragraph cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from resolvers.process import health, rfm
from resolvers.system.mapping import BadValue, RecordMapper
from resolvers.system.records import Order, Ticket
from sources.config import FieldSpec

README = (Path(__file__).parents[3] / "README.md").read_text()
PARAGRAPH = README.split("**Fields.**", 1)[1].split("**Links between systems.**", 1)[0]


def _example() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", PARAGRAPH, flags=re.DOTALL)
    assert block is not None
    fields: dict[str, Any] = yaml.safe_load(block.group(1))["fields"]
    return {
        name: spec if isinstance(spec, str) else FieldSpec.model_validate(spec)
        for name, spec in fields.items()
    }


def _mapper(record_type: type, fields: dict[str, Any]) -> RecordMapper:
    return RecordMapper("helpdesk", "tickets", record_type, fields, "README")


def test_the_example_maps_a_nested_record_with_its_own_names_and_date_format() -> None:
    example = _example()
    lines = example.pop("lines")
    ticket = _mapper(Ticket, {**example, "status": "meta.state"}).map_one(
        {
            "ticketRef": 101,
            "meta": {"title": "Parcel lost", "state": "open"},
            "opened": "01/12/2026 09:30",
        }
    )
    assert ticket.id == "101"  # an id written as a number becomes text
    assert ticket.subject == "Parcel lost"
    assert ticket.created_at == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert ticket.channel == "email"  # 'via' absent: the default
    order = _mapper(
        Order, {"id": "no", "placed_at": "at", "total": "total", "lines": lines}
    ).map_one(
        {
            "no": "SO-1",
            "at": "2026-12-01T09:30:00",
            "total": "12.50",
            "items": [{"sku": "S-1", "qty": "2", "price": 6.25}],
        }
    )
    assert order.total == 12.5  # a number written as text
    assert order.placed_at.tzinfo is UTC  # no zone: UTC
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("S-1", 2, 6.25)
    ]


def test_a_null_stays_null_and_what_does_not_convert_is_named() -> None:
    example = _example()
    example.pop("lines")
    mapper = _mapper(Ticket, {**example, "status": "meta.state"})
    raw = {"ticketRef": "T", "meta": {"title": "x", "state": "open"}, "opened": "01/12/2026 09:30"}
    assert mapper.map_one({**raw, "via": None}).channel is None
    with pytest.raises(BadValue, match="'opened'"):
        mapper.map_one({**raw, "opened": "2026-12-01"})
    with pytest.raises(BadValue, match="'ticketRef' is missing"):
        mapper.map_one({k: v for k, v in raw.items() if k != "ticketRef"})


def test_the_status_words_are_the_ones_the_process_layer_reads() -> None:
    words = " ".join(PARAGRAPH.split())
    for status in sorted(health.OPEN_TICKET):
        assert f"`{status}`" in words
    assert "ticket is open when its status is `new`, `open` or `pending`" in words
    assert health.PRESSING == {"urgent", "high"}
    assert "priority `urgent` or `high` is pressing" in words
    assert rfm.NOT_PLACED == {"cancelled"}
    assert f"sentiment score of {health.NEGATIVE_SCORE} or below" in words
