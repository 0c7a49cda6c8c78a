"""How a lookup spells the keys it sends, when its source wants another form than ours.

The gateway keeps one canonical form per key (E.164 phones, case-folded emails,
ids as given); a foreign system may want ``5551234567``, ``OC-17`` or ``17``
for ``oc-17``. A ``key_format`` is a small fixed set of steps, not a template
language: the phone form, a prefix stripped (from our form), the case, a
prefix and a suffix added, in that order. Only the keys *sent* change; answers are matched back to
the canonical keys (``SentKeys``), so a record echoing ``5551234567`` is the
answer for ``+15551234567``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, model_validator

from sources.keys import normalize_key

PHONE_FORMATS = ("e164", "national", "digits")
CASES = ("upper", "lower")
FORMAT_NAMES = (*PHONE_FORMATS, *CASES)
"""The names ``key_format`` accepts as a shorthand string (``key_format: national``)."""

_NOT_DIGIT = re.compile(r"\D")


class KeyFormat(BaseModel):
    """The form a lookup's keys are sent in; every step is optional (default: keys as they are).

    ``phone`` (phone lookups only): ``e164`` (``+15551234567``, the default),
    ``national`` (the digits of the national form: ``5551234567`` in the US,
    ``02079460000`` in the UK) or ``digits`` (E.164 without ``+``: ``15551234567``).
    ``case``: ``upper`` or ``lower``. ``strip_prefix``: removed where a key
    starts with it. ``prefix``/``suffix``: added.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    phone: Literal["e164", "national", "digits"] = "e164"
    case: Literal["upper", "lower"] | None = None
    strip_prefix: str = ""
    prefix: str = ""
    suffix: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``key_format: national`` is ``{phone: national}``; ``upper`` is ``{case: upper}``."""
        if isinstance(value, str):
            if value in PHONE_FORMATS:
                return {"phone": value}
            if value in CASES:
                return {"case": value}
            raise ValueError(
                f"unknown key format '{value}'; expected one of {list(FORMAT_NAMES)} "
                "or a mapping of phone/case/strip_prefix/prefix/suffix"
            )
        return value

    @property
    def changes_keys(self) -> bool:
        return self != _AS_IS

    def apply(self, kind: str, key: str) -> str:
        """``key`` (canonical) in the form this source wants."""
        if kind == "phone" and self.phone != "e164":
            key = _phone_form(key, self.phone)
        if self.strip_prefix and key.startswith(self.strip_prefix):
            key = key[len(self.strip_prefix) :]
        if self.case == "upper":
            key = key.upper()
        elif self.case == "lower":
            key = key.lower()
        return f"{self.prefix}{key}{self.suffix}"


_AS_IS = KeyFormat()
_UNSENT = object()


def _phone_form(e164: str, form: str) -> str:
    if form == "digits":
        return e164.lstrip("+")
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164  # not ours to fix: the key was normalized before; sent as it is
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _NOT_DIGIT.sub("", national)


@dataclass(slots=True, frozen=True)
class SentKeys:
    """The keys of one request as sent, and the way back from a sent form to the key asked.

    ``exact`` maps each sent form to its canonical key, ``loose`` its case-folded
    form (a source that echoes ``oc-17`` for ``OC-17``). A form that two keys
    share (``A`` and ``a`` sent upper-case) maps to None: a record echoing it
    cannot be told apart, so it is nobody's (dropped, never filed under either).
    """

    sent: list[str]
    exact: dict[str, str | None]
    loose: dict[str, str | None]


def asked_key(kind: str, value: object, asked: Container[str], sent: SentKeys | None) -> str | None:
    """The key asked that an echoed ``value`` stands for, or None.

    With a key format, a sent form decides first (a record echoes what it was
    asked): ``1`` sent for ``oc-1`` is ``oc-1``'s even if ``1`` was asked too.
    Otherwise the value is compared in canonical form.
    """
    if value is None or isinstance(value, bool | dict | list):
        return None
    if sent is not None:
        text = value.strip() if type(value) is str else str(value).strip()
        back = sent.exact.get(text, _UNSENT)
        if back is _UNSENT:
            back = sent.loose.get(text.casefold(), _UNSENT)
        if back is not _UNSENT:
            return back if isinstance(back, str) else None
    canonical = normalize_key(kind, value)
    return canonical if canonical is not None and canonical in asked else None


def sent_keys(key_format: KeyFormat | None, kind: str, keys: Sequence[str]) -> SentKeys | None:
    """The keys in ``key_format``'s form; None when the format leaves them as they are."""
    if key_format is None or not key_format.changes_keys:
        return None
    sent = [key_format.apply(kind, key) for key in keys]
    exact: dict[str, str | None] = {}
    loose: dict[str, str | None] = {}
    for key, form in zip(keys, sent, strict=True):
        for table, spelling in ((exact, form), (loose, form.casefold())):
            table[spelling] = key if table.get(spelling, key) == key else None
    return SentKeys(sent, exact, loose)
