"""Maps a source's JSON record to a domain record, as the source config's ``fields`` says.

Mappers are built once at start (a bad mapping fails there, naming the file,
source, entity and field) and are plain Python on the hot path: one converter
per field, no generic validation machinery per record.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from resolvers.system.records import NESTED_TYPES, RECORD_TYPES, CrossReference
from sources.config import FieldSpec, Link, SourcesConfig
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


EPOCH_FORMATS = {"epoch_s": 1, "epoch_ms": 1_000}
"""``format:`` values for a time written as a number since 1970-01-01 UTC, and its unit."""


def _from_epoch(value: Any, per_second: int) -> datetime:
    if isinstance(value, bool):
        raise BadValue("expected a number of seconds since 1970")
    try:
        return datetime.fromtimestamp(float(value) / per_second, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        unit = "milliseconds" if per_second == 1_000 else "seconds"
        hint = "" if per_second == 1_000 else " (a time in milliseconds needs format: epoch_ms)"
        raise BadValue(f"expected a time in {unit} since 1970, got {value!r}{hint}") from None


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(value, 1)
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


def _written_as(written: str, convert: Convert, where: str) -> Convert:
    """A date or time field's converter for a source that writes it ``written`` (strptime)."""
    if convert not in (_to_date, _to_datetime):
        raise ConfigError(f"{where}: only a date or time field has a format")
    as_date = convert is _to_date
    per_second = EPOCH_FORMATS.get(written)
    if per_second is not None:

        def from_epoch(value: Any) -> Any:
            moment = _from_epoch(value, per_second)
            return moment.date() if as_date else moment

        return from_epoch
    example = datetime(1985, 3, 14, 9, 30, tzinfo=UTC).strftime(written)

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            raise BadValue(f"expected a date written {written} (e.g. {example})")
        try:
            parsed = datetime.strptime(value.strip(), written)
        except ValueError:
            raise BadValue(f"expected a date written {written} (e.g. {example})") from None
        if as_date:
            return parsed.date()
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    return parse


TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
"""How systems write a yes/no besides JSON's true and false (case-insensitive)."""


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise BadValue(f"expected true or false (or yes/no, y/n, 1/0), got {value!r}")


def _tuple_of(convert: Convert) -> Convert:
    def to_tuple(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise BadValue("expected a list")
        return tuple([convert(item) for item in value])

    return to_tuple


class OnDemand(Sequence[Any]):
    """A nested list of records (an order's lines) mapped the first time it is read.

    Most answers never ask for the nested records (RFM needs orders, not their
    lines), so they are not paid for until a query selects them. A bad nested
    value then surfaces as the source's bad response, at the field that reads it.
    """

    __slots__ = ("_convert", "_entity", "_items", "_raw", "_source")

    def __init__(self, raw: list[Any], convert: Convert, source: str, entity: str) -> None:
        self._raw = raw
        self._convert = convert
        self._source = source
        self._entity = entity
        self._items: tuple[Any, ...] | None = None

    def _mapped(self) -> tuple[Any, ...]:
        if self._items is None:
            try:
                self._items = tuple([self._convert(item) for item in self._raw])
            except BadValue as exc:
                raise SourceBadResponse(
                    self._source, f"{self._entity} nested record: {exc}", entity=self._entity
                ) from None
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._mapped()[index]

    def __len__(self) -> int:
        return len(self._raw)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapped())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OnDemand):
            other = other._mapped()
        return self._mapped() == other

    def __hash__(self) -> int:
        return hash(self._mapped())

    def __repr__(self) -> str:
        return f"OnDemand({len(self._raw)} records)"


def _on_demand_tuple_of(convert: Convert, source: str, entity: str) -> Convert:
    def to_on_demand(value: Any) -> OnDemand:
        if not isinstance(value, list):
            raise BadValue("expected a list")
        return OnDemand(value, convert, source, entity)

    return to_on_demand


_SCALARS: dict[Any, Convert] = {
    str: _to_str,
    float: _to_float,
    int: _to_int,
    datetime: _to_datetime,
    date: _to_date,
    bool: _to_bool,
}


def _converter_for(hint: Any) -> tuple[Convert, bool]:
    """The converter for a type hint and whether None is allowed (nested records aside)."""
    optional = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        hint = args[0]
        origin = typing.get_origin(hint)
    if origin in (tuple, Sequence):
        item = typing.get_args(hint)[0]
        if item not in _SCALARS:  # a nested record type: the caller maps it on demand
            return _tuple_of(lambda value: value), optional
        return _tuple_of(_SCALARS[item]), optional
    return _SCALARS[hint], optional


class RecordMapper:
    """Turns one source entity's raw records into one kind of domain record."""

    map_one: Callable[[Any], Any]
    """Maps one raw record (generated at start by ``_compile``); raises ``BadValue``."""

    def __init__(
        self,
        source: str,
        entity: str,
        record_type: type,
        fields: Mapping[str, str | FieldSpec],
        where: str,
        links: Mapping[str, Link] | None = None,
    ) -> None:
        self.source = source
        self.entity = entity
        self.record_type = record_type
        hints = typing.get_type_hints(record_type)
        known = {
            f.name: f for f in dataclasses.fields(record_type) if f.name not in ("source", "links")
        }
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
            convert, optional = _converter_for(hints[name])
            if not isinstance(spec, str) and spec.format is not None:
                where_format = f"{where}, field 'fields.{name}.format'"
                convert = _written_as(spec.format, convert, where_format)
            if name in NESTED_TYPES:
                sub_fields = {} if isinstance(spec, str) else (spec.fields or {})
                sub = RecordMapper(
                    source, entity, NESTED_TYPES[name], sub_fields, f"{where} > {name}"
                )
                convert = _on_demand_tuple_of(sub.map_one, source, entity)
            self._plan.append((name, path, default, convert, optional, name in required))
        self.map_one = self._compile()
        if links:
            if "links" not in hints:
                raise ConfigError(
                    f"{where}, field 'links': {record_type.__name__} records cannot carry links"
                )
            self.map_one = _with_links(self.map_one, source, links)

    def _compile(self) -> Callable[[Any], Any]:
        """One straight-line function per mapping, generated once at start.

        The hot path of large answers (10,000 orders) is this function; a generic
        loop over the plan costs about twice as much. Values that already have
        the field's type skip their converter; others go through it, and its
        complaint names the source path.
        """
        env: dict[str, Any] = {
            "BadValue": BadValue,
            "record_type": self.record_type,
            "source": self.source,
            "value_at": value_at,
            "convert": _convert_at,
            "parse_datetime": datetime.fromisoformat,
            "parse_date": date.fromisoformat,
            "UTC": UTC,
            "new": object.__new__,
        }
        body = [
            "def map_one(raw):",
            "    if type(raw) is not dict:",
            "        raise BadValue('expected an object')",
            "    get = raw.get",
        ]
        arguments = ["source=source"]
        for index, (name, path, default, converter, optional, required) in enumerate(self._plan):
            env[f"default{index}"] = default
            env[f"convert{index}"] = converter
            env[f"path{index}"] = path
            body.extend(_fetch_lines(path, index, env))
            native = _NATIVE.get(converter)
            check = f"type(v{index}) is not {native}" if native else "True"
            body.append(f"    if v{index} is None:")
            if required:
                body.append(f"        raise BadValue(repr(path{index}) + ' is missing')")
            elif optional:
                body.append("        pass")
            else:
                field_default = _field_default(self.record_type, name)
                env[f"fallback{index}"] = field_default
                body.append(f"        v{index} = fallback{index}")
            body.extend(_parse_text_inline(converter, index))
            body.append(f"    elif {check}:")
            body.append(f"        v{index} = convert(convert{index}, v{index}, path{index})")
            arguments.append(f"{name}=v{index}")
        slots = _slot_setters(self.record_type)
        if slots is None:
            body.append(f"    return record_type({', '.join(arguments)})")
        else:
            # Filling the slots directly is what the generated __init__ does, minus its
            # object.__setattr__ per field (about half the cost of a mapped record).
            body.append("    record = new(record_type)")
            mapped = {name: f"v{index}" for index, (name, *_) in enumerate(self._plan)}
            for field_name, setter in slots.items():
                env[f"set_{field_name}"] = setter
                if field_name == "source":
                    value = "source"
                elif field_name in mapped:
                    value = mapped[field_name]
                else:
                    env[f"unmapped_{field_name}"] = _field_default(self.record_type, field_name)
                    value = f"unmapped_{field_name}"
                body.append(f"    set_{field_name}(record, {value})")
            body.append("    return record")
        namespace: dict[str, Any] = {}
        # Only dataclass field names (checked above) and indices enter the source text;
        # every value from the config file (paths, defaults) is passed through ``env``.
        exec("\n".join(body), env, namespace)
        return typing.cast(Callable[[Any], Any], namespace["map_one"])

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


_NATIVE: dict[Convert, str] = {_to_str: "str", _to_float: "float", _to_int: "int"}
"""Converters whose field type a JSON value may already have (then no call is needed)."""


def _fetch_lines(path: str, index: int, env: dict[str, Any]) -> list[str]:
    """Generated lines reading ``path`` into ``v<index>``, as ``value_at`` would.

    A one-dot path into a nested object (``cart.status``) is read in place;
    anything else goes through ``value_at``.
    """
    v = f"v{index}"
    if "." not in path:
        return [f"    {v} = get(path{index}, default{index})"]
    head, _, tail = path.partition(".")
    if "." in tail:
        return [f"    {v} = value_at(raw, path{index}, default{index})"]
    env[f"head{index}"] = head
    env[f"tail{index}"] = tail
    return [
        f"    {v} = get(head{index})",
        f"    if type({v}) is dict:",
        f"        {v} = {v}.get(tail{index}, default{index})",
        f"    elif {v} is None:",  # missing or null: value_at's default either way
        f"        {v} = default{index}",
        "    else:",
        f"        {v} = value_at(raw, path{index}, default{index})",
    ]


def _parse_text_inline(converter: Convert, index: int) -> list[str]:
    """Generated lines parsing an ISO text value in place (the usual JSON form of a date).

    Anything else, or text the parser refuses, still goes through the converter,
    so results and complaints are the converter's own.
    """
    v = f"v{index}"
    if converter is _to_datetime:
        return [
            f"    elif type({v}) is str:",
            "        try:",
            f"            {v} = parse_datetime({v})",
            "        except ValueError:",
            f"            {v} = convert(convert{index}, {v}, path{index})",
            "        else:",
            f"            if {v}.tzinfo is None:",
            f"                {v} = {v}.replace(tzinfo=UTC)",
        ]
    if converter is _to_date:
        return [
            f"    elif type({v}) is str:",
            "        try:",
            f"            {v} = parse_date({v}[:10])",
            "        except ValueError:",
            f"            {v} = convert(convert{index}, {v}, path{index})",
        ]
    return []


def _slot_setters(record_type: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """Each field's slot setter, when setting every slot is all ``__init__`` would do.

    None (construct through ``__init__``) for anything but a plain slotted
    dataclass: a ``__post_init__``, an init-less field or a default factory
    means ``__init__`` does more than fill the slots.
    """
    if (
        not dataclasses.is_dataclass(record_type)
        or not record_type.__dataclass_params__.init  # type: ignore[attr-defined]
        or hasattr(record_type, "__post_init__")
    ):
        return None
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for field in dataclasses.fields(record_type):
        slot = record_type.__dict__.get(field.name)
        if (
            not field.init
            or field.default_factory is not dataclasses.MISSING
            or type(slot) is not types.MemberDescriptorType
        ):
            return None
        setters[field.name] = slot.__set__
    return setters


def _with_links(map_one: Callable[[Any], Any], source: str, links: Mapping[str, Link]) -> Any:
    """``map_one`` that also fills the record's ``links`` from the fields the links name.

    A missing or empty field is no link (that person is unknown to that system);
    a field that is an object or a list is a bad answer, like any bad value.
    """
    plan = [(system, link.source, f"{source}.{link.source}") for system, link in links.items()]

    def map_linked(raw: Any) -> Any:
        record = map_one(raw)
        refs = []
        for system, path, evidence in plan:
            value = value_at(raw, path, None)
            if value is None:
                continue
            text = _convert_at(_to_str, value, path).strip()
            if text:
                refs.append(CrossReference(system, text, evidence))
        if refs:
            object.__setattr__(record, "links", tuple(refs))
        return record

    return map_linked


def _convert_at(convert: Convert, value: Any, path: str) -> Any:
    try:
        return convert(value)
    except BadValue as exc:
        raise BadValue(f"'{path}' {exc}") from None


def _field_default(record_type: type, name: str) -> Any:
    for field in dataclasses.fields(record_type):
        if field.name == name:
            if field.default_factory is not dataclasses.MISSING:
                return field.default_factory()
            return field.default
    raise KeyError(name)  # pragma: no cover - the plan only names fields of the record


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
                source_name, entity_name, record_type, entity.fields, where, entity.links
            )
    return mappers
