"""``c360 check-config PATH``: a source config and its field mappings, checked as the start does.

Builds the source runtime from the file exactly as the gateway does at start,
with the same ``C360_SOURCE_URLS`` overrides (a source name the file does not
declare fails here too), so the mappings are checked against the domain records
of ``resolvers/system``. The gateway's CLI runs this module as its own process
(``python -m tools.check_config``): the gateway package imports neither the
sources nor the resolvers layer for it.

It also refuses what the start cannot see: a key given twice in one mapping
(two ``handling_minutes:`` lines, a source pasted twice), of which YAML keeps
only the last without a word.
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


def repeated_keys(text: str) -> list[str]:
    """Each key given twice in one mapping: where, and the line of each (1-based).

    A document that is not YAML has none here (the start reports it, naming the file).
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return []
    finally:
        loader.dispose()
    return list(_repeated(root, "")) if root is not None else []


def _repeated(node: yaml.Node, where: str) -> Iterator[str]:
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
            yield from _repeated(value_node, inner)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _repeated(item, f"{where}[{index}]")


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
        repeated = repeated_keys(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        repeated = []  # the start names the file it cannot read
    if repeated:
        for problem in repeated:
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
