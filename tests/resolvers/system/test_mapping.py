from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from resolvers.system.mapping import RecordMapper
from resolvers.system.records import Invoice, Order, WebVisit
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


VISIT_FIELDS = {
    "id": "session_id",
    "started_at": "started_at",
    "ended_at": "ended_at",
    "cart_status": "cart.status",
    "cart_value": "cart.value",
}


def test_mapped_records_are_the_records_their_constructor_builds() -> None:
    mapper = RecordMapper("web", "visits", WebVisit, VISIT_FIELDS, "test")
    [visit] = mapper.map_many(
        [{"session_id": "s1", "started_at": "2026-11-27T08:00:00Z", "cart": {"value": 3}}]
    )
    expected = WebVisit(
        source="web",
        id="s1",
        started_at=datetime(2026, 11, 27, 8, tzinfo=UTC),
        cart_value=3.0,
    )
    assert visit == expected and hash(visit) == hash(expected) and repr(visit) == repr(expected)
    assert visit.device is None and visit.pages_viewed is None, "unmapped fields keep defaults"
    with pytest.raises(AttributeError):
        visit.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T08:00:00Z", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27T08:00:00", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27T10:00:00+02:00", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
        (1_795_737_600, datetime(2026, 11, 27, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_accepted_form_become_aware_datetimes(
    value: object, expected: datetime
) -> None:
    mapper = RecordMapper("web", "visits", WebVisit, VISIT_FIELDS, "test")
    [visit] = mapper.map_many([{"session_id": "s", "started_at": value, "ended_at": value}])
    assert visit.started_at == expected and visit.started_at.tzinfo is not None
    assert visit.ended_at == expected


@pytest.mark.parametrize("value", ["yesterday", "", True, [1], {"at": 1}])
def test_a_value_that_is_no_timestamp_names_its_path(value: object) -> None:
    mapper = RecordMapper("web", "visits", WebVisit, VISIT_FIELDS, "test")
    with pytest.raises(SourceBadResponse, match="'ended_at' expected an ISO 8601 timestamp"):
        mapper.map_many([{"session_id": "s", "started_at": 0, "ended_at": value}])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27", date(2026, 11, 27)),
        ("2026-11-27T08:00:00Z", date(2026, 11, 27)),
        (20261127, date(2026, 11, 27)),
    ],
)
def test_dates_are_read_from_their_first_ten_characters(value: object, expected: date) -> None:
    mapper = RecordMapper(
        "billing", "invoices", Invoice, {"id": "no", "amount": "amount", "due_on": "due"}, "t"
    )
    [invoice] = mapper.map_many([{"no": "I-1", "amount": 1, "due": value}])
    assert invoice.due_on == expected
    with pytest.raises(SourceBadResponse, match="'due' expected a date"):
        mapper.map_many([{"no": "I-1", "amount": 1, "due": "27/11/2026"}])


@pytest.mark.parametrize(
    ("cart", "expected"),
    [
        ({"status": "open"}, "open"),
        ({"status": None}, None),
        ({}, None),
        (None, None),
        ("open", None),
        (["open"], None),
    ],
)
def test_a_dotted_path_reads_only_through_objects(cart: object, expected: str | None) -> None:
    mapper = RecordMapper("web", "visits", WebVisit, VISIT_FIELDS, "test")
    raw = {"session_id": "s", "started_at": 0, "cart": cart}
    [visit] = mapper.map_many([raw])
    assert visit.cart_status == expected
    [without_cart] = mapper.map_many([{"session_id": "s", "started_at": 0}])
    assert without_cart.cart_status is None


CHECKED: list[str] = []


@dataclass(slots=True, frozen=True)
class CheckedContact:
    source: str
    id: str
    name: str = "unknown"

    def __post_init__(self) -> None:
        CHECKED.append(self.id)


def test_a_record_type_with_its_own_checks_is_built_through_its_constructor() -> None:
    mapper = RecordMapper("crm", "contacts", CheckedContact, {"id": "id"}, "test")
    [contact] = mapper.map_many([{"id": "C-1"}])
    assert contact == CheckedContact("crm", "C-1") and CHECKED == ["C-1", "C-1"]
