"""``c360 check-config PATH``: a source config and its field mappings, checked as the start does.

Builds the source runtime from the file exactly as the gateway does at start,
with the same ``C360_SOURCE_URLS`` overrides (a source name the file does not
declare fails here too), so the mappings are checked against the domain records
of ``resolvers/system``. The gateway's CLI runs this module as its own process
(``python -m tools.check_config``): the gateway package imports neither the
sources nor the resolvers layer for it.

The YAML document itself is read as the start reads it (``sources.yaml_text``):
a key given twice in one mapping and a document whose aliases expand past a
million values are refused, naming the lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.settings import Settings
from resolvers.system.runtime import SourceRuntime
from sources.errors import ConfigError

app = typer.Typer(add_completion=False)


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
        names = checked_sources(path, Settings().source_urls)
    except ConfigError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{path}: ok ({', '.join(names)})")


if __name__ == "__main__":
    app(prog_name="c360 check-config")
