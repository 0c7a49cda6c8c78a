"""``c360 import-openapi``: from a system's /openapi.json to a file ``c360 check-config`` accepts.

The document is fetched over real HTTP from a local server, as a user would
point the command at a running system; bad input is one line and exit code 2.
``c360 import-openapi`` runs the importer tool (``tools/import_openapi.py``,
also ``c360-import``) as a process of its own: the gateway package imports
neither the sources nor the resolvers layer for it.
"""

from __future__ import annotations

import ast
import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gateway.cli import app
from sources.demo import support
from tools import import_openapi as tool

runner = CliRunner()


class _Documents(BaseHTTPRequestHandler):
    """Serves ``/openapi.json`` like a demo system: its document with ``servers`` filled in."""

    body = b""

    def do_GET(self) -> None:
        if self.path != "/openapi.json":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def support_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Documents)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    document = copy.deepcopy(support.OPENAPI)
    document["servers"] = [{"url": origin}]
    _Documents.body = json.dumps(document).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{origin}/openapi.json"
    finally:
        server.shutdown()
        server.server_close()


def test_a_systems_openapi_url_becomes_a_config_check_config_accepts(
    support_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "support.yaml"
    result = runner.invoke(
        app, ["import-openapi", support_url, "--source", "support", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "review the lines marked REVIEW" in result.output
    source = yaml.safe_load(output.read_text(encoding="utf-8"))["sources"]["support"]
    assert source["base_url"] == support_url.removesuffix("/openapi.json")
    assert source["entities"]["tickets"]["lookups"]["email"]["query"] == {
        "requester_emails": "{keys}"
    }
    checked = runner.invoke(app, ["check-config", str(output)])
    assert checked.exit_code == 0, checked.output
    assert "ok (support)" in checked.output


def test_without_output_the_skeleton_goes_to_stdout_with_the_given_base_url(
    support_url: str,
) -> None:
    result = runner.invoke(
        app,
        ["import-openapi", support_url, "--source", "desk", "--base-url", "https://desk.example/"],
    )
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["sources"]["desk"]["base_url"] == "https://desk.example"


def test_an_existing_output_is_not_overwritten_without_force(
    support_url: str, tmp_path: Path
) -> None:
    output = tmp_path / "reviewed.yaml"
    output.write_text("# reviewed by hand\n", encoding="utf-8")
    args = ["import-openapi", support_url, "--source", "support", "--output", str(output)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "pass --force" in refused.output
    assert output.read_text(encoding="utf-8") == "# reviewed by hand\n"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert "sources:" in output.read_text(encoding="utf-8")


def _one_line_failure(args: list[str]) -> str:
    result = runner.invoke(app, ["import-openapi", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_bad_documents_are_one_line_and_exit_code_2(tmp_path: Path) -> None:
    malformed = tmp_path / "broken.json"
    malformed.write_text('{"openapi": "3.0.3", "paths": {"/x": [', encoding="utf-8")
    assert "neither JSON nor YAML" in _one_line_failure([str(malformed), "--source", "x"])
    no_paths = tmp_path / "empty.yaml"
    no_paths.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", encoding="utf-8")
    assert "missing 'paths'" in _one_line_failure([str(no_paths), "--source", "x"])
    missing = tmp_path / "nowhere.json"
    assert "cannot read" in _one_line_failure([str(missing), "--source", "x"])


def test_an_unreachable_or_oversized_document_is_one_line(
    support_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = support_url.rsplit(":", 1)[0] + ":9/openapi.json"  # the discard port: nobody there
    assert "cannot fetch" in _one_line_failure([closed, "--source", "support"])
    assert "answered HTTP 404" in _one_line_failure(
        [support_url.replace("openapi", "nothing"), "--source", "support"]
    )
    # The limit is patched in this process: the tool runs here, not through `c360`.
    monkeypatch.setattr("sources.openapi.document.MAX_DOCUMENT_BYTES", 1_000)
    result = runner.invoke(tool.app, [support_url, "--source", "support"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "larger than 1000 bytes" in result.output


def test_a_source_name_that_is_no_yaml_key_is_refused(support_url: str) -> None:
    assert "source name 'My Desk'" in _one_line_failure([support_url, "--source", "My Desk"])


def test_an_output_that_cannot_be_written_is_one_line(support_url: str, tmp_path: Path) -> None:
    output = tmp_path / "no-such-dir" / "support.yaml"
    said = _one_line_failure([support_url, "--source", "support", "--output", str(output)])
    assert f"{output}: cannot write" in said


def test_a_location_that_looks_like_an_option_is_read_as_a_location(tmp_path: Path) -> None:
    said = _one_line_failure(["--source", "x", "--", "-weird.json"])
    assert "-weird.json" in said and "cannot read" in said


def test_c360_import_is_the_same_tool_as_c360_import_openapi(support_url: str) -> None:
    """The console script and the gateway's command write the same skeleton."""
    direct = runner.invoke(tool.app, [support_url, "--source", "support"])
    through_c360 = runner.invoke(app, ["import-openapi", support_url, "--source", "support"])
    assert direct.exit_code == through_c360.exit_code == 0, through_c360.output
    assert direct.output == through_c360.output


def _imports(package: Path) -> set[str]:
    """Every module a package's files import (absolute imports, at any depth in the file)."""
    found: set[str] = set()
    for file in package.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return found


def test_the_importer_knows_no_resolvers_and_the_gateway_no_importer() -> None:
    """DESIGN's layers: sources never import resolvers; the gateway never imports sources."""
    root = Path(tool.__file__).resolve().parents[1]
    in_importer = _imports(root / "sources" / "openapi")
    assert not {m for m in in_importer if m.split(".")[0] == "resolvers"}
    in_gateway = _imports(root / "gateway")
    assert not {m for m in in_gateway if m == "sources" or m.startswith("sources.")}
    assert not {m for m in in_gateway if m == "tools" or m.startswith("tools.")}


def test_other_systems_documents_aim_the_links_and_a_bad_one_is_one_line(
    support_url: str, tmp_path: Path
) -> None:
    """`--system NAME=DOC` passes through `c360`; the demo support desk is asked by emails, not
    by its own ids, so the CRM's `support_user_id` stays a suggestion; a bad pair is one line."""
    from sources.foreign import crm as foreign_crm

    document = tmp_path / "crm.json"
    document.write_text(json.dumps(foreign_crm.OPENAPI), encoding="utf-8")
    args = [str(document), "--source", "crm", "--system", f"support={support_url}"]
    result = runner.invoke(app, ["import-openapi", *args])
    assert result.exit_code == 0, result.output
    assert "# links:" in result.output and "# support: { from: support_user_id }" in result.output
    assert "links" not in yaml.safe_load(result.output)["sources"]["crm"]["entities"]["contacts"]
    said = _one_line_failure([str(document), "--source", "crm", "--system", "support"])
    assert "expected NAME=URL_OR_FILE" in said
