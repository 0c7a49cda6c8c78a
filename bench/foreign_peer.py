"""The peer over the foreign world: GraphQL Mesh composed over the four systems' OpenAPI documents.

The same machinery as ``bench/peer.py`` (Mesh's compose CLI, Hive Gateway,
installed from ``bench/package.json``), with the links a team would write by
hand for these systems: a CRM contact's ``order_customer_id``,
``billing_account`` and ``support_user_id`` reach the other three through
``@resolveTo``. What Mesh cannot do from the documents is done as a team would:
billing's OAuth2 token is fetched once here and sent as a static header (Mesh
refreshes no token), and phones are sent as the CRM stores them (no key
formats). Two variants:

- ``per-customer``: one source request per contact and link;
- ``batched``: ``keysArg`` batching where the endpoint allows it: billing
  (repeated ``account``) and support (comma list ``requester``). The order
  system's batch answers 20 groups a page behind a cursor, which Mesh does not
  follow, so its link stays per customer in both variants.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.peer import NODE_MODULES, WORK, PeerUnavailable, _run
from sources.foreign.billing import CLIENT_ID, CLIENT_SECRET

SYSTEMS = ("crm", "orders", "billing", "support")
VARIANTS = ("per-customer", "batched")

COMMA_LISTS = {
    ("crm", "/api/v3/contacts"): ("contact_id", "mobile"),
    ("support", "/desk/tickets"): ("requester",),
}
"""Comma-separated batch parameters, declared as the arrays they are (``explode: false``)."""

_ORDERS = (
    'orders: [CustomerOrders] @resolveTo(sourceName: "orders", sourceTypeName: "Query", '
    'sourceFieldName: "batchCustomerOrders", requiredSelectionSet: "{ order_customer_id }", '
    'sourceArgs: { customer_ids: "{root.order_customer_id}" }, result: "groups")'
)
_PER_CUSTOMER = (
    'invoices: [Invoice] @resolveTo(sourceName: "billing", sourceTypeName: "Query", '
    'sourceFieldName: "getInvoicesByAccounts", requiredSelectionSet: "{ billing_account }", '
    'sourceArgs: { account: "{root.billing_account}" }, result: "data")',
    'tickets: [Ticket] @resolveTo(sourceName: "support", sourceTypeName: "Query", '
    'sourceFieldName: "getTicketsByRequesters", requiredSelectionSet: "{ support_user_id }", '
    'sourceArgs: { requester: "{root.support_user_id}" }, result: "data")',
)
_BATCHED = (
    'invoices: [Invoice] @resolveTo(sourceName: "billing", sourceTypeName: "Query", '
    'sourceFieldName: "getInvoicesByAccounts", keysArg: "account", keyField: "billing_account", '
    'valueKeyField: "account", requiredSelectionSet: "{ billing_account }", result: "data")',
    'tickets: [Ticket] @resolveTo(sourceName: "support", sourceTypeName: "Query", '
    'sourceFieldName: "getTicketsByRequesters", keysArg: "requester", '
    'keyField: "support_user_id", valueKeyField: "requester", '
    'requiredSelectionSet: "{ support_user_id }", result: "data")',
)

AGENT_QUERY = """query Agent($phone: [String]) {
  searchContacts(mobile: $phone) { contacts {
    contact_id given_name family_name email_address mobile city region country_code created
    orders { customer_id orders { order_ref ordered_at state grand_total currency } }
    invoices { invoice_number issue_date due_date total paid status currency }
    tickets { ticket title state urgency via opened_at }
  } }
}"""

LIST_QUERY = """query List($ids: [String]) {
  searchContacts(contact_id: $ids) { contacts {
    contact_id given_name family_name
    orders { orders { order_ref ordered_at grand_total state } }
    invoices { invoice_number total status }
    tickets { ticket title state }
  } }
}"""


def billing_token(billing_url: str) -> str:
    """A client-credentials token from the billing system, as a team would put in Mesh's config."""
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    request = urllib.request.Request(
        billing_url + "/oauth/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": f"Basic {basic}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["access_token"])


def openapi_document(system: str, url: str) -> dict[str, Any]:
    """The system's own document; only 200 answers kept, comma lists declared as arrays."""
    with urllib.request.urlopen(url + "/openapi.json", timeout=10) as response:
        document: dict[str, Any] = json.loads(response.read())
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"] = {"200": operation["responses"]["200"]}
            operation.pop("security", None)
    for (owner, path), names in COMMA_LISTS.items():
        if owner != system:
            continue
        for parameter in document["paths"][path]["get"].get("parameters", []):
            if parameter["name"] in names:
                parameter["schema"] = {"type": "array", "items": {"type": "string"}}
                parameter["style"] = "form"
                parameter["explode"] = False
    document.get("components", {}).pop("securitySchemes", None)
    return document


def mesh_config(variant: str, urls: dict[str, str], documents: dict[str, Path], token: str) -> str:
    subgraphs = []
    for system in SYSTEMS:
        options: dict[str, Any] = {"source": str(documents[system]), "endpoint": urls[system]}
        if system == "billing":
            options["operationHeaders"] = {"Authorization": f"Bearer {token}"}
        subgraphs.append(
            f"    {{ sourceHandler: loadOpenAPISubgraph({json.dumps(system)}, "
            f"{json.dumps(options)}) }}"
        )
    links = [_ORDERS, *(_PER_CUSTOMER if variant == "per-customer" else _BATCHED)]
    type_defs = "extend type Contact {\n  " + "\n  ".join(links) + "\n}\n"
    listed = ",\n".join(subgraphs)
    return (
        "import { defineConfig } from '@graphql-mesh/compose-cli';\n"
        "import { loadOpenAPISubgraph } from '@omnigraph/openapi';\n\n"
        "export const composeConfig = defineConfig({\n"
        f"  subgraphs: [\n{listed}\n  ],\n"
        f"  additionalTypeDefs: /* GraphQL */ `\n{type_defs}`,\n"
        "});\n"
    )


def compose(variant: str, urls: dict[str, str]) -> Path:
    """Write the documents and mesh.config.ts under bench/.mesh/foreign-*, run ``mesh-compose``."""
    folder = WORK / f"foreign-{variant}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        token = billing_token(urls["billing"])
        documents = {}
        for system in SYSTEMS:
            documents[system] = folder / f"{system}.openapi.json"
            document = openapi_document(system, urls[system])
            documents[system].write_text(json.dumps(document, indent=1))
    except (OSError, ValueError, KeyError) as exc:
        raise PeerUnavailable(f"foreign documents or token: {exc}") from None
    (folder / "mesh.config.ts").write_text(mesh_config(variant, urls, documents, token))
    supergraph = folder / "supergraph.graphql"
    _run(
        [str(NODE_MODULES / ".bin" / "mesh-compose"), "-o", str(supergraph)],
        folder,
        180,
        f"mesh-compose (foreign {variant})",
    )
    return supergraph
