"""GraphQL names of Python names, converted once per process instead of once per call.

Strawberry converts every argument name to camelCase again on every resolver
call (``convert_arguments`` → ``NameConverter.from_argument``; 7% of a
50-customer list's CPU). The conversion is a pure function of the name, and the
names are the schema's own (not client text), so the memo stays small.
"""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter

MAX_NAMES = 4096
"""Far above any schema's count of field and argument names; a bound all the same."""


class MemoizedNameConverter(NameConverter):
    """Strawberry's name converter, each name converted once (via ``StrawberryConfig``)."""

    def __init__(self, auto_camel_case: bool = True) -> None:
        super().__init__(auto_camel_case)
        self._names: dict[tuple[bool, str], str] = {}

    def apply_naming_config(self, name: str) -> str:
        key = (self.auto_camel_case, name)
        converted = self._names.get(key)
        if converted is None:
            converted = super().apply_naming_config(name)
            if len(self._names) < MAX_NAMES:
                self._names[key] = converted
        return converted
