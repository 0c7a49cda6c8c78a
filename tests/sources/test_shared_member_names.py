"""A large answer parsed in steps shares its records' member names, and reads the same.

Each record of a large answer (``answer_json``, over ``PARSE_INLINE_BYTES``) is
scanned on its own; without sharing, 16,556 orders held 16,556 copies of every
member name. The records must still be what ``orjson.loads`` makes of the answer.
"""

from __future__ import annotations

import orjson

from sources import shared_member_names
from sources.answer_json import PARSE_INLINE_BYTES, parse_answer


def large_answer(records: int) -> bytes:
    return orjson.dumps(
        {
            "data": [
                {"order_id": f"SO-{n}", "total": n / 7, "lines": [{"sku": "A", "qty": n}]}
                for n in range(records)
            ],
            "next": None,
        }
    )


async def test_records_parsed_in_steps_share_their_member_names() -> None:
    body = large_answer(5_000)
    assert len(body) > PARSE_INLINE_BYTES
    parsed = await parse_answer(body, "data")
    assert parsed == orjson.loads(body)
    first, last = parsed["data"][0], parsed["data"][-1]
    assert all(a is b for a, b in zip(first, last, strict=True))
    assert first["lines"][0].keys() == last["lines"][0].keys()
    assert next(iter(first["lines"][0])) is next(iter(last["lines"][0]))
    assert not shared_member_names._NAMES, "no name outlives its parse"


async def test_a_repeated_member_keeps_its_last_value_as_before() -> None:
    record = b'{"id": "a", "id": "b", "n": 1}'
    body = b'{"data": [' + b", ".join([record] * 20_000) + b"]}"
    assert len(body) > PARSE_INLINE_BYTES
    parsed = await parse_answer(body, "data")
    assert parsed["data"][0] == {"id": "b", "n": 1} == parsed["data"][-1]


async def test_past_the_names_remembered_records_still_read_the_same() -> None:
    many = shared_member_names.MAX_NAMES * 2
    records = [{f"name{n}": n, "shared": True, "pad": "x" * 40} for n in range(many)]
    body = orjson.dumps({"data": records})
    assert len(body) > PARSE_INLINE_BYTES
    assert (await parse_answer(body, "data"))["data"] == records
