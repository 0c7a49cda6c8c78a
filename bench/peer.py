"""The peer: GraphQL Mesh composed over the demo sources' OpenAPI documents, served by Hive Gateway.

This is what a team would get without writing a gateway: each source's
``/openapi.json`` becomes a subgraph, and ``@resolveTo`` links join a CRM contact
to its orders, invoices, tickets, visits, mentions and weather. Two variants:
``per-customer`` (one source request per contact and link) and ``batched``
(``keysArg`` batching through the comma-separated list endpoints). Installed on
first use from ``bench/package.json`` into ``bench/node_modules`` (ignored by git).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from bench.processes import PYTHON, SERVER_CORE, Server, free_port, pinned, wait_until_answering

BENCH = Path(__file__).resolve().parent
NODE_MODULES = BENCH / "node_modules"
WORK = BENCH / ".mesh"
VARIANTS = ("per-customer", "batched")
SYSTEMS = ("crm", "orders", "billing", "support", "web", "social", "weather")

BATCH_PARAMS = {
    ("orders", "/orders"): "customer_emails",
    ("billing", "/invoices"): "bill_to_emails",
    ("support", "/tickets"): "requester_emails",
    ("web", "/visits"): "user_emails",
    ("social", "/mentions"): "handles",
}
"""Comma-separated batch parameters, declared as arrays (``style: form, explode: false``)."""

_WEATHER = (
    'weather: Forecast @resolveTo(sourceName: "weather", sourceTypeName: "Query", '
    'sourceFieldName: "getCurrentWeather", requiredSelectionSet: "{ latitude longitude }", '
    'sourceArgs: { latitude: "{root.latitude}", longitude: "{root.longitude}", '
    'current: "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m" })'
)

_PER_CUSTOMER_LINKS = {
    # /customers/{id}/orders and /accounts/{id}/invoices take the order and billing systems'
    # own ids, which a contact does not carry: per customer, orders and invoices are asked
    # by the contact's email, one key per request, like the other links.
    "orders": ("orders", "getOrdersByCustomerEmails", "customer_emails", "email", "[Order]"),
    "invoices": ("billing", "getInvoicesByEmails", "bill_to_emails", "email", "[Invoice]"),
    "tickets": ("support", "getRequesterTickets", "email", "email", "[Ticket]"),
    "visits": ("web", "getUserVisits", "email", "email", "[Visit]"),
    "mentions": ("social", "getAuthorMentions", "handle", "twitter_handle", "[Mention]"),
}

_BATCHED_LINKS = {
    "orders": ("orders", "getOrdersByCustomerEmails", "customer_emails", "customer_email"),
    "invoices": ("billing", "getInvoicesByEmails", "bill_to_emails", "bill_to_email"),
    "tickets": ("support", "getTicketsByRequesterEmails", "requester_emails", "requester_email"),
    "visits": ("web", "getVisitsByUserEmails", "user_emails", "user_email"),
    "mentions": ("social", "getMentionsByHandles", "handles", "handle"),
}
_BATCHED_TYPES = {
    "orders": ("[Order]", "email"),
    "invoices": ("[Invoice]", "email"),
    "tickets": ("[Ticket]", "email"),
    "visits": ("[Visit]", "email"),
    "mentions": ("[Mention]", "twitter_handle"),
}


class PeerUnavailable(Exception):
    """The peer could not be installed, composed or started here; the message says why."""


def _run(command: list[str], cwd: Path, timeout: float, what: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PeerUnavailable(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise PeerUnavailable(f"{what} failed: {' | '.join(tail)[:400]}")


def install() -> None:
    """``npm install`` the pinned packages once; later runs find them in bench/node_modules."""
    if (NODE_MODULES / ".bin" / "hive-gateway").exists() and (
        NODE_MODULES / ".bin" / "mesh-compose"
    ).exists():
        return
    if shutil.which("npm") is None:
        raise PeerUnavailable("npm is not installed")
    print("bench: installing the peer (npm install in bench/, once) ...", flush=True)
    _run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        BENCH,
        600,
        "npm install",
    )


def openapi_document(system: str, url: str) -> dict[str, Any]:
    """The source's own document, adapted where Mesh needs it to link and batch.

    Only the 200 responses are kept (else every field is a union with ``Error``,
    and ``@resolveTo(result:)`` cannot reach into it; errors still surface as
    GraphQL errors), the weather answers one ``Forecast`` (the links ask for one
    place), and batch parameters are declared as the comma lists they are.
    """
    with urllib.request.urlopen(url + "/openapi.json", timeout=10) as response:
        document: dict[str, Any] = json.loads(response.read())
    paths = document["paths"]
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"] = {"200": operation["responses"]["200"]}
    if system == "weather":
        content = paths["/v1/forecast"]["get"]["responses"]["200"]["content"]
        content["application/json"]["schema"] = {"$ref": "#/components/schemas/Forecast"}
    for (owner, path), name in BATCH_PARAMS.items():
        if owner != system or path not in paths:
            continue
        for parameter in paths[path]["get"].get("parameters", []):
            if parameter["name"] == name:
                parameter["schema"] = {"type": "array", "items": {"type": "string"}}
                parameter["style"] = "form"
                parameter["explode"] = False
    return document


def _links(variant: str) -> str:
    fields = []
    if variant == "per-customer":
        for field, (source, operation, arg, key, type_) in _PER_CUSTOMER_LINKS.items():
            fields.append(
                f"{field}: {type_} @resolveTo(sourceName: {json.dumps(source)}, "
                f'sourceTypeName: "Query", sourceFieldName: {json.dumps(operation)}, '
                f'requiredSelectionSet: "{{ {key} }}", '
                f'sourceArgs: {{ {arg}: "{{root.{key}}}" }}, result: "data")'
            )
    else:
        for field, (source, operation, arg, value_key) in _BATCHED_LINKS.items():
            type_, key = _BATCHED_TYPES[field]
            fields.append(
                f"{field}: {type_} @resolveTo(sourceName: {json.dumps(source)}, "
                f'sourceTypeName: "Query", sourceFieldName: {json.dumps(operation)}, '
                f'keysArg: "{arg}", keyField: "{key}", valueKeyField: "{value_key}", '
                f'requiredSelectionSet: "{{ {key} }}", result: "data")'
            )
    fields.append(_WEATHER)
    return "extend type Contact {\n  " + "\n  ".join(fields) + "\n}\n"


def mesh_config(variant: str, urls: dict[str, str], documents: dict[str, Path]) -> str:
    subgraphs = ",\n".join(
        f"    {{ sourceHandler: loadOpenAPISubgraph({json.dumps(system)}, "
        f"{{ source: {json.dumps(str(documents[system]))}, "
        f"endpoint: {json.dumps(urls[system])} }}) }}"
        for system in SYSTEMS
    )
    return (
        "import { defineConfig } from '@graphql-mesh/compose-cli';\n"
        "import { loadOpenAPISubgraph } from '@omnigraph/openapi';\n\n"
        "export const composeConfig = defineConfig({\n"
        f"  subgraphs: [\n{subgraphs}\n  ],\n"
        f"  additionalTypeDefs: /* GraphQL */ `\n{_links(variant)}`,\n"
        "});\n"
    )


def compose(variant: str, urls: dict[str, str]) -> Path:
    """Write the OpenAPI documents and mesh.config.ts, run ``mesh-compose``; the supergraph path."""
    folder = WORK / variant
    folder.mkdir(parents=True, exist_ok=True)
    documents = {}
    for system in SYSTEMS:
        documents[system] = folder / f"{system}.openapi.json"
        documents[system].write_text(json.dumps(openapi_document(system, urls[system]), indent=1))
    (folder / "mesh.config.ts").write_text(mesh_config(variant, urls, documents))
    supergraph = folder / "supergraph.graphql"
    _run(
        [str(NODE_MODULES / ".bin" / "mesh-compose"), "-o", str(supergraph)],
        folder,
        180,
        f"mesh-compose ({variant})",
    )
    return supergraph


def start(variant: str, supergraph: Path, log_dir: Path) -> Server:
    """Hive Gateway serving ``supergraph``, pinned to the server core like every gateway."""
    port = free_port()
    command = [
        str(NODE_MODULES / ".bin" / "hive-gateway"),
        "supergraph",
        str(supergraph),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--polling",
        "1h",
        "--disable-websockets",
    ]
    log = log_dir / f"peer-{variant}.log"
    process = subprocess.Popen(
        pinned(command, SERVER_CORE),
        cwd=log_dir,
        env={**os.environ, "NODE_ENV": "production"},
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(f"peer-{variant}", f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_answering(server, "/healthcheck", timeout_s=90)
    except RuntimeError as exc:
        raise PeerUnavailable(str(exc).splitlines()[0]) from None
    return server


__all__ = ["PYTHON", "VARIANTS", "PeerUnavailable", "compose", "install", "start"]
