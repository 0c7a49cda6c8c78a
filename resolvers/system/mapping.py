"""Maps a source's JSON record to a domain record, as the source config's ``fields`` says.

Mappers are built once at start (a bad mapping fails there, naming the file,
source, entity and field) and are plain Python on the hot path: one converter
per field, no generic validation machinery per record.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from resolvers.system.records import NESTED_TYPES, RECORD_TYPES
from sources.config import FieldSpec, SourcesConfig
from sources.errors import ConfigError, SourceBadResponse
from sources.records_path import value_at

Convert = Callable[[Any], Any]


class BadValue(ValueError):
    """A source value that does not fit the domain field's type."""


def _to_str(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise BadValue("expected text")
    return value if isinstance(value, str) else str(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue("expected a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadValue("expected a number") from None


def _to_int(value: Any) -> int:
    number = _to_float(value)
    if not number.is_integer():
        raise BadValue("expected a whole number")
    return int(number)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadValue("expected an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _to_date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise BadValue("expected a date (YYYY-MM-DD)") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise BadValue("expected true or false")


def _tuple_of(convert: Convert) -> Convert:
    def to_tuple(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise BadValue("expected a list")
        return tuple(convert(item) for item in value)

    return to_tuple


_SCALARS: dict[Any, Convert] = {
    str: _to_str,
    float: _to_float,
    int: _to_int,
    datetime: _to_datetime,
    date: _to_date,
    bool: _to_bool,
}


def _converter_for(hint: Any, nested: Convert | None) -> tuple[Convert, bool]:
    """The converter for a type hint and whether None is allowed."""
    optional = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        hint = args[0]
        origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return _tuple_of(nested if nested is not None else _SCALARS[item]), optional
    return _SCALARS[hint], optional


class RecordMapper:
    """Turns one source entity's raw records into one kind of domain record."""

    def __init__(
        self,
        source: str,
        entity: str,
        record_type: type,
        fields: Mapping[str, str | FieldSpec],
        where: str,
    ) -> None:
        self.source = source
        self.entity = entity
        self.record_type = record_type
        hints = typing.get_type_hints(record_type)
        known = {f.name: f for f in dataclasses.fields(record_type) if f.name != "source"}
        unknown = sorted(set(fields) - set(known))
        if unknown:
            raise ConfigError(
                f"{where}, field 'fields.{unknown[0]}': {record_type.__name__} has no such field "
                f"(known: {', '.join(known)})"
            )
        required = [
            name
            for name, f in known.items()
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        missing = [name for name in required if name not in fields]
        if missing:
            raise ConfigError(
                f"{where}, field 'fields': {record_type.__name__} needs a mapping for "
                f"{', '.join(missing)}"
            )
        self._plan: list[tuple[str, str, Any, Convert, bool, bool]] = []
        for name, spec in fields.items():
            path = spec if isinstance(spec, str) else spec.source
            default = None if isinstance(spec, str) else spec.default
            nested: Convert | None = None
            if name in NESTED_TYPES:
                sub_fields = {} if isinstance(spec, str) else (spec.fields or {})
                sub = RecordMapper(
                    source, entity, NESTED_TYPES[name], sub_fields, f"{where} > {name}"
                )
                nested = sub.map_one
            convert, optional = _converter_for(hints[name], nested)
            self._plan.append((name, path, default, convert, optional, name in required))

    def map_one(self, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise BadValue("expected an object")
        values: dict[str, Any] = {"source": self.source}
        for name, path, default, convert, optional, required in self._plan:
            value = value_at(raw, path, default) if "." in path else raw.get(path, default)
            if value is None:
                if required:
                    raise BadValue(f"'{path}' is missing")
                if not optional:
                    continue
                values[name] = None
                continue
            try:
                values[name] = convert(value)
            except BadValue as exc:
                raise BadValue(f"'{path}' {exc}") from None
        return self.record_type(**values)

    def map_many(self, raws: list[dict[str, Any]]) -> list[Any]:
        out = []
        for index, raw in enumerate(raws):
            try:
                out.append(self.map_one(raw))
            except BadValue as exc:
                raise SourceBadResponse(
                    self.source, f"{self.entity} record {index}: {exc}", entity=self.entity
                ) from None
        return out


def build_mappers(config: SourcesConfig) -> dict[tuple[str, str], RecordMapper]:
    """One mapper per (source, entity); raises ConfigError naming where a mapping is wrong."""
    mappers: dict[tuple[str, str], RecordMapper] = {}
    for source_name, source in config.sources.items():
        for entity_name, entity in source.entities.items():
            where = f"{config.origin}: source '{source_name}', entity '{entity_name}'"
            record_type = RECORD_TYPES.get(entity.serves)
            if record_type is None:
                raise ConfigError(
                    f"{where}, field 'serves': unknown record '{entity.serves}' "
                    f"(known: {', '.join(RECORD_TYPES)})"
                )
            mappers[(source_name, entity_name)] = RecordMapper(
                source_name, entity_name, record_type, entity.fields, where
            )
    return mappers
