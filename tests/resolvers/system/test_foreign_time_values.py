"""A time a source writes in a way the mapping cannot read is the source's bad answer.

Epoch milliseconds (``1764662400000``, as JavaScript and many SaaS APIs write
times) are read as seconds, 57,889 years ahead: ``datetime.fromtimestamp``
raises ``ValueError``, which escaped the mapping as an internal error (the field
answered ``INTERNAL_SERVER_ERROR``) instead of ``SOURCE_BAD_RESPONSE`` naming the
path; ``format: epoch_ms`` reads such a field. Yes/no values are read in the
spellings systems use (``Y``, ``"true"``, ``1``) instead of failing the record.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.system.mapping import BadValue, RecordMapper
from resolvers.system.records import CustomerProfile, Ticket
from sources.config import FieldSpec

MAPPER = RecordMapper(
    "helpdesk", "tickets", Ticket, {"id": "id", "status": "s", "updated_at": "t"}, "test"
)


def test_epoch_seconds_are_read() -> None:
    ticket = MAPPER.map_one({"id": "T1", "s": "open", "t": 1764662400})
    assert ticket.updated_at == datetime(2025, 12, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [1764662400000, 10.0**20], ids=["epoch-ms", "huge"])
def test_a_time_out_of_range_names_its_path(value: float) -> None:
    with pytest.raises(BadValue, match="'t'"):
        MAPPER.map_one({"id": "T1", "s": "open", "t": value})


def test_a_time_in_milliseconds_is_read_with_format_epoch_ms() -> None:
    spec = FieldSpec.model_validate({"from": "t", "format": "epoch_ms"})
    mapper = RecordMapper(
        "helpdesk", "tickets", Ticket, {"id": "id", "status": "s", "updated_at": spec}, "test"
    )
    for written in (1764662400000, "1764662400000", 1764662400000.0):
        ticket = mapper.map_one({"id": "T1", "s": "open", "t": written})
        assert ticket.updated_at == datetime(2025, 12, 2, 8, 0, tzinfo=UTC)
    with pytest.raises(BadValue, match="expected a time in milliseconds since 1970, got 'soon'"):
        mapper.map_one({"id": "T1", "s": "open", "t": "soon"})


def test_a_format_is_a_strptime_pattern_or_an_epoch_unit() -> None:
    assert FieldSpec.model_validate({"from": "t", "format": "epoch_s"}).format == "epoch_s"
    with pytest.raises(ValueError, match="format"):
        FieldSpec.model_validate({"from": "t", "format": "epoch_minutes"})


@pytest.mark.parametrize(
    ("written", "read"),
    [
        *[(yes, True) for yes in (True, "Y", "yes", "true", 1, "1")],
        *[(no, False) for no in (False, "N", "No", "FALSE", 0, "0")],
    ],
)
def test_a_yes_or_no_is_read_as_systems_write_it(written: object, read: bool) -> None:
    mapper = RecordMapper(
        "crm", "customers", CustomerProfile, {"id": "id", "marketing_consent": "opt"}, "test"
    )
    assert mapper.map_one({"id": "C1", "opt": written}).marketing_consent is read


@pytest.mark.parametrize("written", ["maybe", 2, 0.5])
def test_another_yes_or_no_names_the_value(written: object) -> None:
    mapper = RecordMapper(
        "crm", "customers", CustomerProfile, {"id": "id", "marketing_consent": "opt"}, "test"
    )
    with pytest.raises(BadValue, match=r"'opt' expected true or false \(or yes/no, y/n, 1/0\)"):
        mapper.map_one({"id": "C1", "opt": written})
