"""``c360 check-config PATH``: a source config and its field mappings, checked as the start does.

Builds the source runtime from the file exactly as the gateway does at start,
with the same ``C360_SOURCE_URLS`` overrides (a source name the file does not
declare fails here too), so the mappings are checked against the domain records
of ``resolvers/system``. The gateway's CLI runs this module as its own process
(``python -m tools.check_config``): the gateway package imports neither the
sources nor the resolvers layer for it.

It also refuses what the start cannot see, reading the YAML document itself
first: a key given twice in one mapping (two ``handling_minutes:`` lines, a
source pasted twice), of which YAML keeps only the last without a word, and a
document whose aliases (``&a`` ... ``*a``) expand to more than ``MAX_VALUES``
values (a "billion laughs" file, which the start would walk for ever).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import yaml

from gateway.settings import Settings
from resolvers.system.runtime import SourceRuntime
from sources.errors import ConfigError

app = typer.Typer(add_completion=False)

MAX_VALUES = 1_000_000
"""Values a source config may hold once its aliases are expanded (the demo's: 1,075)."""


def document_problems(text: str) -> list[str]:
    """What is wrong with the YAML document as written, one line each (none: fine).

    A document that is not YAML has none here (the start reports it, naming the file).
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    if root is None:
        return []
    values = _expanded_size(root, {})
    if values > MAX_VALUES:
        return [
            f"its aliases (&name ... *name) expand to {values:,} values; "
            f"a source config holds at most {MAX_VALUES:,}"
        ]
    return list(_repeated(root, "", set()))


def repeated_keys(text: str) -> list[str]:
    """Each key given twice in one mapping: where, and the line of each (1-based)."""
    return [problem for problem in document_problems(text) if "is given twice" in problem]


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values under ``node`` with every alias expanded, each node measured once."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node that holds itself (a recursive alias) counts once
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            size += _expanded_size(key_node, sizes) + _expanded_size(value_node, sizes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, sizes)
    sizes[id(node)] = size
    return size


def _repeated(node: yaml.Node, where: str, seen: set[int]) -> Iterator[str]:
    """Each node once: an alias is the node it names, and a chain of them (a "billion
    laughs" document) would otherwise be walked exponentially many times."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            inner = f"{where}.{key}" if where else key
            if isinstance(key_node, yaml.ScalarNode) and key != "<<":
                line = key_node.start_mark.line + 1
                if key in first_line:
                    yield (
                        f"line {line}: '{inner}' is given twice (first on line "
                        f"{first_line[key]}); YAML would keep only the last"
                    )
                else:
                    first_line[key] = line
            yield from _repeated(value_node, inner, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _repeated(item, f"{where}[{index}]", seen)


def checked_sources(path: Path, overrides: dict[str, str]) -> list[str]:
    """The names of the sources ``path`` declares; a ``ConfigError`` naming what is wrong."""
    runtime = SourceRuntime.from_file(path, overrides=overrides)
    return list(runtime.config.sources)


@app.command()
def main(
    path: Annotated[Path, typer.Argument(help="The source config file (YAML).")],
) -> None:
    """Validate a source config file and its field mappings, as the gateway does at start."""
    try:
        problems = document_problems(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        problems = []  # the start names the file it cannot read
    if problems:
        for problem in problems:
            typer.secho(f"{path}: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    try:
        names = checked_sources(path, Settings().source_urls)
    except ConfigError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{path}: ok ({', '.join(names)})")


if __name__ == "__main__":
    app(prog_name="c360 check-config")
