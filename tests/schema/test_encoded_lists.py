"""A long list completed for an answer that goes out as JSON is handed on as its JSON bytes.

Within ``encoded_as_completed`` (the HTTP view's requests) a list completed in
slices is encoded slice by slice and becomes one ``orjson.Fragment``, so the
huge answer's dicts do not outlive their slice. A client must not be able to
tell: the answer encodes to the bytes it had as plain lists, errors included,
and every other caller of the schema still gets plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import pytest

from schema.execution import slices
from schema.execution.encoded_lists import EncodedList, encoded_as_completed, encoded_list
from tests.schema.test_completion_slices import LISTS, LONG, answer


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """One look at the clock per slice: many slices, whatever the machine's speed."""
    monkeypatch.setattr(slices, "SLICE_S", 0.0)
    LISTS.clear()


@pytest.mark.parametrize("field", ["entries", "maybeEntries"])
@pytest.mark.parametrize("unnamed_at", [-1, 0, LONG - 1])
async def test_an_encoded_answer_reads_as_the_plain_one(field: str, unnamed_at: int) -> None:
    """Same bytes, same errors; a null where none may be takes the careful way, as before."""
    plain = await answer("engine", "plain", LONG, field, unnamedAt=unnamed_at)
    with encoded_as_completed():
        encoded = await answer("engine", "encoded", LONG, field, unnamedAt=unnamed_at)
    assert orjson.dumps(encoded) == orjson.dumps(plain)
    if unnamed_at < 0:
        assert isinstance(encoded["data"][field], orjson.Fragment)
        assert isinstance(plain["data"][field], list)


async def test_outside_the_view_a_long_list_stays_a_list() -> None:
    with encoded_as_completed():
        assert encoded_list() is not None
    assert encoded_list() is None
    result = await answer("engine", "outside", LONG)
    assert isinstance(result["data"]["entries"], list)
    assert len(result["data"]["entries"]) == LONG


@dataclass(frozen=True)
class Refused(Exception):
    """Like ``RefusedRequest``: an exception whose attributes cannot be written."""

    status: int


def test_a_request_refused_within_passes_through_as_it_was_raised() -> None:
    with pytest.raises(Refused) as raised, encoded_as_completed():
        raise Refused(400)
    assert raised.value.status == 400
    assert encoded_list() is None


def test_an_encoded_list_is_orjsons_list() -> None:
    items = [{"id": "SO-1", "total": 1 / 3, "lines": [{"sku": 'Zoë "Z"'}]}, None, 7]
    encoded = EncodedList()
    encoded.add(items[:1])
    encoded.add([])
    encoded.add(items[1:])
    assert orjson.dumps({"a": encoded.fragment()}) == orjson.dumps({"a": items})
    nothing = EncodedList()
    assert orjson.dumps(nothing.fragment()) == b"[]"
