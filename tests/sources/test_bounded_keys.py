"""Key normalisation refuses attacker-sized text before parsing or remembering it.

Phone normalisation is memoized; before the caps, 100 invalid 900 KB "phones"
stayed in the memo (+104 MB). Over-long text is no key at all now, so it is
never parsed, never memoized and never sent to a source.
"""

from __future__ import annotations

from sources import keys
from sources.keys import (
    MAX_EMAIL_LENGTH,
    MAX_KEY_LENGTH,
    MAX_PHONE_LENGTH,
    normalize_email,
    normalize_key,
    normalize_phone,
)


def test_an_over_long_phone_is_no_key_and_never_reaches_the_memo() -> None:
    before = keys._parsed_phone.cache_info()
    huge = "+1 415 555 0132 " + "9" * 900_000
    for _ in range(100):
        assert normalize_phone(huge) is None
        assert normalize_key("phone", huge) is None
    after = keys._parsed_phone.cache_info()
    assert (after.hits, after.misses, after.currsize) == (
        before.hits,
        before.misses,
        before.currsize,
    )


def test_a_phone_at_the_length_cap_is_still_read() -> None:
    spelled = "+1 (415) 555-0132".ljust(MAX_PHONE_LENGTH)
    assert len(spelled) == MAX_PHONE_LENGTH
    assert normalize_phone(spelled) == "+14155550132"
    assert normalize_phone(spelled + " ") is None


def test_the_phone_memo_is_bounded_by_entries_of_bounded_size() -> None:
    maxsize = keys._parsed_phone.cache_info().maxsize
    assert maxsize is not None and maxsize * MAX_PHONE_LENGTH < 2 * 1024 * 1024


def test_an_email_longer_than_rfc_allows_is_no_key() -> None:
    longest = "a" * 64 + "@" + "b" * (MAX_EMAIL_LENGTH - 65)
    assert normalize_email(longest) == longest
    assert normalize_email("a" + longest) is None
    assert normalize_key("email", "x" * 1_000_000 + "@x.com") is None


def test_over_long_ids_and_handles_are_no_keys() -> None:
    assert normalize_key("id", "c" * MAX_KEY_LENGTH) == "c" * MAX_KEY_LENGTH
    assert normalize_key("id", "c" * (MAX_KEY_LENGTH + 1)) is None
    assert normalize_key("handle", "@" + "h" * 1_000_000) is None
