from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.system.mapping import RecordMapper
from resolvers.system.records import Order, WebVisit
from sources.config import FieldSpec
from sources.errors import SourceBadResponse

ORDER_FIELDS = {
    "id": "order_id",
    "placed_at": "placed_at",
    "total": "total",
    "lines": FieldSpec.model_validate(
        {"from": "lines", "fields": {"sku": "sku", "quantity": "qty"}}
    ),
}


def test_maps_nested_lines_and_parses_timestamps() -> None:
    mapper = RecordMapper("orders", "orders", Order, ORDER_FIELDS, "test")
    [order] = mapper.map_many(
        [
            {
                "order_id": 7,
                "placed_at": "2026-11-27T08:00:00Z",
                "total": "12.50",
                "lines": [{"sku": "A", "qty": 2}],
            }
        ]
    )
    assert order.id == "7" and order.total == 12.5 and order.source == "orders"
    assert order.placed_at == datetime(2026, 11, 27, 8, tzinfo=UTC)
    assert order.lines[0].sku == "A" and order.lines[0].quantity == 2


def test_dotted_paths_reach_into_nested_objects_and_missing_ones_are_none() -> None:
    mapper = RecordMapper(
        "web",
        "visits",
        WebVisit,
        {"id": "session_id", "started_at": "started_at", "cart_status": "cart.status"},
        "test",
    )
    with_cart, without = mapper.map_many(
        [
            {
                "session_id": "s1",
                "started_at": "2026-11-27T08:00:00Z",
                "cart": {"status": "abandoned"},
            },
            {"session_id": "s2", "started_at": "2026-11-27T09:00:00Z", "cart": None},
        ]
    )
    assert with_cart.cart_status == "abandoned"
    assert without.cart_status is None


def test_bad_value_names_source_record_and_field() -> None:
    mapper = RecordMapper("orders", "orders", Order, ORDER_FIELDS, "test")
    with pytest.raises(SourceBadResponse) as caught:
        mapper.map_many([{"order_id": 1, "placed_at": "yesterday", "total": 1}])
    assert caught.value.source == "orders"
    assert "record 0" in str(caught.value) and "'placed_at'" in str(caught.value)
    assert caught.value.extensions == {"code": "SOURCE_BAD_RESPONSE", "source": "orders"}


def test_missing_required_value_is_a_bad_response() -> None:
    mapper = RecordMapper("orders", "orders", Order, ORDER_FIELDS, "test")
    with pytest.raises(SourceBadResponse, match="'total' is missing"):
        mapper.map_many([{"order_id": 1, "placed_at": "2026-11-27T08:00:00Z"}])


def test_nested_lines_are_mapped_when_read_and_a_bad_one_names_the_source() -> None:
    mapper = RecordMapper("orders", "orders", Order, ORDER_FIELDS, "test")
    [order] = mapper.map_many(
        [
            {
                "order_id": 1,
                "placed_at": "2026-11-27T08:00:00Z",
                "total": 3,
                "lines": [{"sku": "A", "qty": "two"}],
            }
        ]
    )
    assert len(order.lines) == 1, "the order itself maps; its lines wait until read"
    with pytest.raises(SourceBadResponse) as caught:
        list(order.lines)
    assert caught.value.source == "orders" and "'qty' expected a number" in str(caught.value)
