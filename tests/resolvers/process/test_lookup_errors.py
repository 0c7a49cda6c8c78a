"""A caller's mistake is told in words that read right: the value quoted, the hint after it."""

from __future__ import annotations

from resolvers.process.errors import InvalidLookup


def test_a_value_is_quoted_and_a_hint_follows_it() -> None:
    assert str(InvalidLookup("phone", "12")) == "'12' is not a valid phone"
    assert str(InvalidLookup("months", "0", hint="give 1 to 36")) == (
        "'0' is not a valid months: give 1 to 36"
    )


def test_arguments_wrong_together_name_the_argument_and_not_a_sentence_as_a_value() -> None:
    error = InvalidLookup("lookup", None, hint="give exactly one of id, phone or email")
    assert str(error) == "lookup: give exactly one of id, phone or email"
    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": "lookup"}
