"""Key normalisation: one spelling per phone, email, handle or id, whatever the source stored.

A batch answer is matched back to its keys through these forms, so two spellings
of one customer's phone must meet, and two different customers must never do.
"""

from __future__ import annotations

import pytest

from sources.keys import normalize_email, normalize_handle, normalize_key, normalize_phone

ANN = "+14155550132"


@pytest.mark.parametrize(
    "spelling",
    [
        "+14155550132",
        "(415) 555-0132",
        "415.555.0132",
        "415-555-0132",
        "4155550132",
        "1-415-555-0132",
        "+1 415 555 0132",
        "  +1 (415) 555-0132  ",
        "tel:+1-415-555-0132",
        "415-555-0132 ext. 12",
        "１４１５５５５０１３２",  # full-width digits, as some CRMs export them
    ],
)
def test_every_common_spelling_of_a_us_phone_is_one_e164_number(spelling: str) -> None:
    assert normalize_phone(spelling) == ANN


def test_international_numbers_keep_their_country() -> None:
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("+49 30 901820") == "+4930901820"


def test_a_national_number_is_read_in_the_region_given() -> None:
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("(415) 555-0132", "US") == ANN


@pytest.mark.parametrize("text", ["", "   ", "12", "not a phone", "call me", "+", "@ann"])
def test_text_that_cannot_be_a_phone_is_none(text: str) -> None:
    assert normalize_phone(text) is None


def test_different_people_keep_different_phones() -> None:
    assert normalize_phone("(415) 555-0132") != normalize_phone("(415) 555-0133")
    assert normalize_phone("(415) 555-0132") != normalize_phone("(212) 555-0132")


def test_a_local_number_without_area_code_is_none_not_a_made_up_e164() -> None:
    assert normalize_phone("555-0132") is None


@pytest.mark.parametrize(
    "spelling",
    [
        "ann.lee@example.com",
        "Ann.Lee@Example.COM",
        "  ANN.LEE@EXAMPLE.COM\t",
        "\nann.lee@example.com",
    ],
)
def test_emails_are_trimmed_and_case_folded(spelling: str) -> None:
    assert normalize_email(spelling) == "ann.lee@example.com"


@pytest.mark.parametrize("text", ["", "   ", "ann.lee", "ann.lee at example.com"])
def test_text_without_an_at_sign_is_no_email(text: str) -> None:
    assert normalize_email(text) is None


@pytest.mark.parametrize(
    "spelling", ["@ann_lee", "ann_lee", "@Ann_Lee", "  @ann_lee ", "@@ann_lee"]
)
def test_handles_get_one_at_sign_and_lower_case(spelling: str) -> None:
    assert normalize_handle(spelling) == "@ann_lee"


@pytest.mark.parametrize("text", ["", "@", "   "])
def test_an_empty_handle_is_none(text: str) -> None:
    assert normalize_handle(text) is None


def test_ids_are_trimmed_text_and_keep_their_case() -> None:
    assert normalize_key("id", " C-10001 ") == "C-10001"
    assert normalize_key("id", "c-10001") != normalize_key("id", "C-10001")
    assert normalize_key("id", 42) == "42", "a numeric id in JSON matches the key '42'"


@pytest.mark.parametrize("kind", ["id", "email", "phone", "handle", "location"])
def test_missing_and_blank_values_are_none_for_every_kind(kind: str) -> None:
    assert normalize_key(kind, None) is None
    assert normalize_key(kind, "") is None
    assert normalize_key(kind, "   ") is None


def test_normalize_key_dispatches_on_the_kind() -> None:
    assert normalize_key("phone", "(415) 555-0132") == ANN
    assert normalize_key("phone", 4155550132) == ANN, "a phone stored as a JSON number"
    assert normalize_key("email", " Ann@X.com ") == "ann@x.com"
    assert normalize_key("handle", "Ann") == "@ann"
    assert normalize_key("location", " 52.52,13.41 ") == "52.52,13.41"
