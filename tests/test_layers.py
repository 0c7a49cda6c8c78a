"""DESIGN's "Layers", pinned: data flows down and back up, nothing reaches past its neighbour.

Every module's imports are read with ``ast`` (at any depth: imports inside
functions count as much as those at the top), relative imports resolved. A rule
fails naming each module, line and import that breaks it. The few crossings the
design allows are listed below with the reason; an entry no module uses any more
fails too, so the list cannot silently grow wider than the code needs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
LAYERED = ("gateway", "schema", "resolvers", "sources")
OFFLINE = ("tools", "bench")
"""Run from a terminal, outside the gateway's process: they may use every layer, none uses them."""


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    """The importing module, dotted (``resolvers.process.scoring``)."""
    name: str
    """What it imports, dotted: ``from a.b import c`` is ``a.b.c``, so a submodule counts."""
    line: int

    def __str__(self) -> str:
        return f"{self.module} (line {self.line}) imports {self.name}"


def module_name(file: Path) -> str:
    parts = file.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, *, package: bool = False) -> Iterator[Import]:
    """Every import of ``module``'s text, wherever it sits in the file."""
    here = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                yield Import(module, f"{origin}.{alias.name}", node.lineno)


def project_imports() -> list[Import]:
    found: list[Import] = []
    for package in (*LAYERED, *OFFLINE):
        for file in sorted((PROJECT / package).rglob("*.py")):
            text = file.read_text(encoding="utf-8")
            found += imports_in(text, module_name(file), package=file.name == "__init__.py")
    return found


IMPORTS = project_imports()


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True, slots=True)
class Rule:
    layer: str
    forbids: tuple[str, ...]
    why: str


RULES = (
    Rule(
        "sources",
        ("resolvers", "schema", "gateway", *OFFLINE),
        "connectors know no domain record, no schema and no gateway",
    ),
    Rule(
        "resolvers.system",
        ("resolvers.process", "resolvers.experience", "schema", "gateway", *OFFLINE),
        "loaders map source records to domain records; the logic over them sits above",
    ),
    Rule(
        "resolvers.process",
        ("resolvers.experience", "schema", "gateway", "sources", *OFFLINE),
        "process code receives loaders or records and never does I/O itself",
    ),
    Rule(
        "resolvers.experience",
        ("schema", "gateway", "sources", "resolvers.system", *OFFLINE),
        "role views shape process results; they know no schema, no connector, and of the "
        "System layer only its records and the loaders they hand to process code",
    ),
    Rule(
        "schema",
        ("sources", "gateway", "resolvers.system", *OFFLINE),
        "schema types never import sources; a field resolver calls experience or process "
        "code; the gateway serves the schema, not the reverse",
    ),
    Rule(
        "gateway",
        ("sources", "resolvers", *OFFLINE),
        "the gateway knows schema/, never sources/, and resolvers only to build the per-request "
        "context and start the background jobs",
    ),
)

ALLOWED: dict[tuple[str, str], str] = {
    # Process code reads declarations and pure functions of the sources layer, never a
    # connection (the brief of issue 15: "process imports no sources-I/O").
    ("resolvers.process", "sources.keys"): (
        "key normalisation (phone, email, id formats): pure functions identity matching "
        "and data quality compare records with"
    ),
    ("resolvers.process", "sources.config"): (
        "the declarative source config's types (links, identity settings): read, never connected"
    ),
    ("resolvers.process", "sources.arguments"): (
        "field arguments (limit, status, since) as the loaders push them down: filtering the "
        "records in hand the same way"
    ),
    ("resolvers.process", "sources.errors"): (
        "the one error hierarchy: a bad intelligence policy is a ConfigError like a bad "
        "source config"
    ),
    # Role views and the System layer: its vocabulary, never its plumbing (runtime,
    # mapping, caches, the loaders' machinery).
    ("resolvers.experience", "resolvers.system.records"): (
        "the domain records (dataclasses) every layer above the System layer speaks"
    ),
    ("resolvers.experience", "resolvers.system.customer_loaders"): (
        "the request's named loaders, received and handed to process code"
    ),
    ("resolvers.experience", "resolvers.system.business_loaders"): (
        "the request's business-view loaders, received (never made) and handed to the process "
        "functions that read the systems' reports or records (never read here: see below)"
    ),
    ("resolvers.experience", "resolvers.system.by_customer"): (
        "RfmCutPointsLoader: the population answer's loader, received and handed to process "
        "code like the business-view loaders"
    ),
    # The schema and the System layer: only the per-request context's loaders.
    ("schema.context", "resolvers.system.loaders"): (
        "DESIGN: the per-request context holds the loaders (fresh per request)"
    ),
    ("schema.context", "resolvers.system.customer_loaders"): (
        "the context's named loaders (OrdersByCustomerLoader, ...) over its loaders"
    ),
    ("schema.business", "resolvers.system.business_loaders"): (
        "the request's business-view loaders, made once per context (Context.extra)"
    ),
    ("schema.look_ahead", "resolvers.system.customer_loaders"): (
        "Ahead: the names of the named loaders a field's metadata says its resolver reads"
    ),
    # The gateway and the resolvers layer: only where the per-request context and the
    # background jobs are built (DESIGN: "except to build the per-request context").
    ("gateway.request_context", "resolvers.system.loaders"): (
        "each request's context holds fresh loaders"
    ),
    ("gateway.request_context", "resolvers.experience.figures"): (
        "each request's context holds the business views' settings"
    ),
    ("gateway.app", "resolvers.system.runtime"): (
        "the process's source runtime (connection pools, caches, breakers) that every "
        "request context's loaders are made from, opened and closed by the lifespan"
    ),
    ("gateway.intelligence", "resolvers.system.runtime"): (
        "the background job runs against the same source runtime as the requests"
    ),
    ("gateway.intelligence", "resolvers.process.intelligence"): (
        "the per-process intelligence every request context holds (policy, outcome store, models)"
    ),
    ("gateway.intelligence", "resolvers.process.intelligence_upkeep"): (
        "the one entry point of the background job (population scan, lifetime-value fit)"
    ),
    ("gateway.startup", "resolvers.system.runtime"): (
        "ConfigError only: what building the source runtime and the intelligence raises for "
        "a bad file, named in one line before uvicorn starts"
    ),
}


def allowed(crossing: Import) -> bool:
    return any(
        within(crossing.module, importer) and within(crossing.name, imported)
        for importer, imported in ALLOWED
    )


def breaking(rule: Rule) -> list[str]:
    return [
        str(crossing)
        for crossing in IMPORTS
        if within(crossing.module, rule.layer)
        and any(within(crossing.name, forbidden) for forbidden in rule.forbids)
        and not allowed(crossing)
    ]


@pytest.mark.parametrize("rule", RULES, ids=[rule.layer for rule in RULES])
def test_no_layer_reaches_past_its_neighbour(rule: Rule) -> None:
    broken = breaking(rule)
    assert not broken, f"{rule.layer}: {rule.why}:\n  " + "\n  ".join(broken)


def test_only_offline_tools_import_the_offline_tools() -> None:
    broken = [
        str(crossing)
        for crossing in IMPORTS
        if not any(within(crossing.module, tool) for tool in OFFLINE)
        and any(within(crossing.name, tool) for tool in OFFLINE)
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(("importer", "imported"), sorted(ALLOWED))
def test_every_allowed_crossing_is_still_needed(importer: str, imported: str) -> None:
    """An entry no import uses is a hole for the next one: take it out."""
    assert any(
        within(crossing.module, importer) and within(crossing.name, imported)
        for crossing in IMPORTS
    ), f"{importer} no longer imports {imported}: remove it from ALLOWED"


def test_imports_inside_functions_and_relative_ones_are_read() -> None:
    """The reader itself: a late relative import in a function is seen and resolved."""
    source = (
        "from __future__ import annotations\n"
        "def refit() -> None:\n"
        "    from ..process import clv\n"
        "    import gateway.app\n"
    )
    found = {(i.name, i.line) for i in imports_in(source, "resolvers.system.intelligence")}
    assert ("resolvers.process.clv", 3) in found and ("gateway.app", 4) in found
    rule = RULES[1]
    late = Import("resolvers.system.intelligence", "resolvers.process.clv", 3)
    assert any(within(late.name, forbidden) for forbidden in rule.forbids) and not allowed(late)


IO_LIBRARIES = ("aiohttp", "sqlalchemy", "redis", "httpx", "requests", "socket", "urllib.request")
FILE_CALLS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes"})


def io_in(source: str, module: str) -> Iterator[str]:
    """A connection library imported, or a file opened, read or written."""
    for crossing in imports_in(source, module):
        if any(within(crossing.name, library) for library in IO_LIBRARIES):
            yield f"{crossing} (a connection library)"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name in FILE_CALLS:
                yield f"{module} (line {node.lineno}) calls {name}()"


@pytest.mark.parametrize("layer", ["process", "experience"])
def test_process_and_experience_code_does_no_io_itself(layer: str) -> None:
    """They receive loaders or records (DESIGN): the System layer fetches, reads and writes."""
    found = [
        io
        for file in sorted((PROJECT / "resolvers" / layer).rglob("*.py"))
        for io in io_in(file.read_text(encoding="utf-8"), module_name(file))
    ]
    assert not found, "\n".join(found)


def test_a_file_read_or_a_connection_in_process_code_is_named() -> None:
    source = "import aiohttp\ndef load_policy(path):\n    return path.read_text(encoding='utf-8')\n"
    assert list(io_in(source, "resolvers.process.intelligence")) == [
        "resolvers.process.intelligence (line 1) imports aiohttp (a connection library)",
        "resolvers.process.intelligence (line 3) calls read_text()",
    ]


LOADER_READS = frozenset({"load", "load_many"})
LOADER_QUESTIONS = frozenset({"served"})


def loader_use_in(source: str, module: str) -> Iterator[str]:
    """A loader called (``x.load(...)``, ``x.load_many(...)``) or asked what it serves, by line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in LOADER_READS:
                found.append((node.lineno, f"calls .{node.func.attr}()"))
        elif isinstance(node, ast.Attribute) and node.attr in LOADER_QUESTIONS:
            found.append((node.lineno, f"reads .{node.attr}"))
    for line, use in sorted(found):
        yield f"{module} (line {line}) {use}"


def test_role_views_hand_their_loaders_to_process_code_and_never_read_them() -> None:
    """Which source to read (a report if one serves it, else the records) and the reading are
    the Process layer's: a role view passes its loaders on and shapes what comes back."""
    found = [
        use
        for file in sorted((PROJECT / "resolvers" / "experience").rglob("*.py"))
        for use in loader_use_in(file.read_text(encoding="utf-8"), module_name(file))
    ]
    assert not found, "\n".join(found)


def test_a_loader_read_or_asked_in_a_role_view_is_named() -> None:
    source = (
        "async def nps(self):\n"
        "    if self.loaders.nps_by_month.served:\n"
        "        return await self.loaders.nps_by_month.load()\n"
        "    return await loader.load_many(keys)\n"
        "async def shaped(self):\n"
        "    return await nps.nps_of(self.loaders, self.window)\n"
    )
    assert list(loader_use_in(source, "resolvers.experience.ceo")) == [
        "resolvers.experience.ceo (line 2) reads .served",
        "resolvers.experience.ceo (line 3) calls .load()",
        "resolvers.experience.ceo (line 4) calls .load_many()",
    ]
