"""``c360-import`` (and ``c360 import-openapi``): a system's OpenAPI document → a YAML skeleton.

The importer (``sources/openapi``) is in the sources layer and knows no domain
record; this tool hands it the resolvers layer's records and mapping check as a
``Domain``. The gateway's CLI runs this module as its own process
(``python -m tools.import_openapi``), so the gateway package imports neither
``sources`` nor ``resolvers`` for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from resolvers.system.mapping import build_mappers
from resolvers.system.records import NESTED_TYPES, RECORD_TYPES
from sources.openapi.document import OpenApiError
from sources.openapi.domain import Domain
from sources.openapi.skeleton import import_openapi

DOMAIN = Domain(records=RECORD_TYPES, nested=NESTED_TYPES, check_mappings=build_mappers)
"""The customer domain's records, as ``resolvers/system`` maps source records onto them."""

app = typer.Typer(add_completion=False)


def skeleton_of(
    location: str,
    source: str,
    base_url: str | None = None,
    systems: Sequence[tuple[str, str]] = (),
) -> str:
    """Source ``source``'s skeleton from the document at ``location`` (file or URL).

    ``systems``: (source name, document) of the systems its records may hold ids of.
    """
    return import_openapi(location, source, DOMAIN, base_url, systems)


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def main(
    location: Annotated[str, typer.Argument(metavar="URL_OR_FILE", help="OpenAPI 3 JSON or YAML.")],
    source: Annotated[str, typer.Option(help="The source's name in the YAML (e.g. orders).")],
    base_url: Annotated[
        str | None, typer.Option(help="The system's URL (default: the document's servers).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write the YAML (default: standard output).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing --output file.")] = False,
    system: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME=URL_OR_FILE",
            help="Another system's document, by its source name in your YAML (repeatable): "
            "a customer record's field holding that system's id becomes a link, marked REVIEW.",
        ),
    ] = None,
) -> None:
    """Write a source config skeleton from a system's OpenAPI 3 document, guesses marked REVIEW."""
    if output is not None and output.exists() and not force:
        _fail(f"{output}: exists (a reviewed file?); pass --force to overwrite it")
    systems = []
    for given in system or []:
        name, equals, other = given.partition("=")
        if not equals or not name or not other:
            _fail(f"--system '{given}': expected NAME=URL_OR_FILE (e.g. orders=orders.json)")
        systems.append((name, other))
    try:
        text = skeleton_of(location, source, base_url, systems)
    except OpenApiError as exc:
        _fail(str(exc))
        raise  # pragma: no cover - _fail exits
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write: {exc.strerror}")
    typer.echo(f"wrote {output}; review the lines marked REVIEW, then: c360 check-config {output}")


def run() -> None:
    """Console entry point (``c360-import``)."""
    app(prog_name="c360-import")


if __name__ == "__main__":  # how ``c360 import-openapi`` runs it: its usage lines say so
    app(prog_name="c360 import-openapi")
