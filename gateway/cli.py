"""The ``c360`` command: run the demo, the gateway or the demo sources; export the schema.

``check-config`` and ``import-openapi`` run the configuration tools (``tools/``) as
processes of their own: the gateway package imports neither sources nor resolvers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError
from typer.core import TyperCommand

from gateway.settings import PROJECT_ROOT, Settings, referenced_variables, unknown_variables

app = typer.Typer(
    help="Virtual Customer 360: a live GraphQL view of every customer.", add_completion=False
)


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _settings(*, config_file: Path | None = None, **overrides: Any) -> Settings:
    """The settings, or one line per bad ``C360_*`` variable (no traceback).

    Refused: a value of the wrong type, malformed JSON in a JSON setting, and a
    ``C360_*`` variable that no setting reads and the source config
    (``config_file``, else the configured one) does not substitute.
    """
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        _fail(
            "\n".join(
                f"invalid setting C360_{'__'.join(str(p) for p in error['loc']).upper()}: "
                f"{error['msg']}"
                for error in exc.errors()
            )
        )
        raise  # pragma: no cover - _fail exits
    except SettingsError as exc:
        field = re.search(r'field "(\w+)"', str(exc))
        variable = f"C360_{field.group(1).upper()}" if field else "a C360_* variable"
        cause = exc.__cause__ or exc
        _fail(f"invalid setting {variable}: not valid JSON ({cause})")
        raise  # pragma: no cover - _fail exits
    config = config_file or settings.sources_file
    problems = unknown_variables(os.environ, referenced_variables(config))
    if problems:
        _fail("\n".join(problems))
    return settings


def _check_startup(settings: Settings) -> None:
    """Build the app once in this process so a bad config fails before uvicorn starts."""
    from gateway.startup import startup_problem

    problem = startup_problem(settings)
    if problem is not None:
        _fail(problem)


def _serve(settings: Settings) -> None:
    _check_startup(settings)
    uvicorn.run(
        "gateway.asgi:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        loop="auto",
        http="auto",
    )


@app.command()
def serve() -> None:
    """Run the gateway (settings from C360_* environment variables)."""
    _serve(_settings())


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Gateway port.")] = 8000,
    host: Annotated[str, typer.Option(help="Gateway address to listen on.")] = "127.0.0.1",
    latency_ms: Annotated[float, typer.Option(help="Added latency of every demo source.")] = 0.0,
    failure_rate: Annotated[float, typer.Option(help="Share of demo requests that fail.")] = 0.0,
    customers: Annotated[int, typer.Option(help="How many demo customers.")] = 1000,
) -> None:
    """Start the seven demo source systems and the gateway; GraphiQL opens on localhost."""
    _settings(host=host, port=port)  # a bad C360_* variable stops here, before any source starts
    command = _demo_sources_command(
        latency_ms, failure_rate, customers, "--ephemeral", "--exit-with-parent"
    )
    sources = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT
    )
    try:
        assert sources.stdout is not None
        line = sources.stdout.readline()
        if not line:
            _fail("the demo sources did not start (see the messages above)")
        ready = json.loads(line)
        urls = {**ready["urls"], **ready.get("dsns", {})}  # one override map: url or dsn by source
        os.environ["C360_SOURCE_URLS"] = json.dumps(urls)
        settings = _settings(host=host, port=port, source_urls=urls)
        for system, url in sorted(urls.items()):
            typer.echo(f"  demo source {system:<8} {url}")
        typer.secho(
            f"\nGraphiQL:   http://{settings.host}:{settings.port}/graphql"
            f"\nAgent view: http://{settings.host}:{settings.port}/views/agent?phone=(555)%20010-2345\n",
            fg=typer.colors.GREEN,
        )
        _serve(settings)
    finally:
        sources.terminate()
        sources.wait(timeout=10)


@app.command()
def sources(
    latency_ms: Annotated[float, typer.Option()] = 0.0,
    failure_rate: Annotated[float, typer.Option()] = 0.0,
    customers: Annotated[int | None, typer.Option(help="Default: 1000 demo, 200 foreign.")] = None,
    base_port: Annotated[int | None, typer.Option(help="Default: 8101 demo, 8201 foreign.")] = None,
    world: Annotated[
        str,
        typer.Option(
            help="demo: the seven demo systems (sources/demo/sources.yaml); foreign: four "
            "systems sharing no id but the CRM's crosswalk (sources/foreign/sources.yaml)."
        ),
    ] = "demo",
) -> None:
    """Run only the source systems of a demo world (ports base-port and up)."""
    if world not in ("demo", "foreign"):
        _fail(f"--world must be demo or foreign, not {world!r}")
    foreign = world == "foreign"
    command = _demo_sources_command(
        latency_ms,
        failure_rate,
        customers if customers is not None else (200 if foreign else 1000),
        "--base-port",
        str(base_port if base_port is not None else (8201 if foreign else 8101)),
        module="sources.foreign" if foreign else "sources.demo",
    )
    # Its own process image: the gateway package never imports the sources layer.
    os.execv(command[0], command)


def _demo_sources_command(
    latency_ms: float,
    failure_rate: float,
    customers: int,
    *extra: str,
    module: str = "sources.demo",
) -> list[str]:
    """``python -m sources.demo`` (or ``sources.foreign``) with the demo's knobs."""
    return [
        sys.executable,
        "-m",
        module,
        "--latency-ms",
        str(latency_ms),
        "--failure-rate",
        str(failure_rate),
        "--customers",
        str(customers),
        *extra,
    ]


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = PROJECT_ROOT
    / "schema.graphql",
) -> None:
    """Write the schema's SDL (checked in as schema.graphql; a test fails when it drifts)."""
    from schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}")


@app.command("check-config")
def check_config(path: Path) -> None:
    """Validate a source config file and its field mappings, as the gateway does at start.

    With the same ``C360_SOURCE_URLS`` overrides the gateway would apply: a
    source name the file does not declare fails here too. Runs
    ``python -m tools.check_config`` as its own process: the check needs the
    sources and resolvers layers, which the gateway package never imports.
    """
    _settings(config_file=path)  # a bad C360_* variable is named here, before the check
    _run_tool("tools.check_config", ["--", str(path)])


class _ForwardedCommand(TyperCommand):
    """A command whose arguments go to a tool as given (``--`` included): the tool declares
    its options once, and ``--help`` is the tool's own."""

    # typer.Context is the public name of the context typer hands its commands; the base
    # method names typer's vendored click class, hence the ignore.
    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        ctx.meta[_FORWARDED] = list(args)
        return super().parse_args(ctx, args)


_FORWARDED = "c360.forwarded_arguments"


@app.command(
    "import-openapi",
    cls=_ForwardedCommand,
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def import_openapi(ctx: typer.Context) -> None:
    """Write a source config skeleton from a system's OpenAPI 3 document, guesses marked REVIEW.

    Every argument goes to ``python -m tools.import_openapi`` (also installed as
    ``c360-import``; its options: ``c360 import-openapi --help``), run as its own
    process: the importer needs the sources and resolvers layers, which the
    gateway package never imports.
    """
    _run_tool("tools.import_openapi", ctx.meta[_FORWARDED])


def _run_tool(module: str, arguments: list[str]) -> None:
    """Run a configuration tool (``python -m tools...``); its output and exit code are ours."""
    command = [sys.executable, "-m", module, *arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _fail(f"{module}: the tool did not run: {exc}")
        raise  # pragma: no cover - _fail exits
    if done.stdout:
        typer.echo(done.stdout, nl=False)
    if done.stderr:
        typer.echo(done.stderr, nl=False, err=True)
    raise typer.Exit(done.returncode)
