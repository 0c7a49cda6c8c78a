"""The legacy ledger (SQL) and current billing (REST) together make a customer's invoices.

The demo's ledger is a real SQLite database the demo process wrote; the gateway
reads it with one ``IN`` statement per batch, counted by its SQL connector.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gateway.settings import Settings
from sources.sql import SqlConnector
from tests.demo_harness import DemoSources, GatewayServer, graphql
from tests.integration.world import world


@pytest.fixture(scope="module")
def gateway(demo_urls: dict[str, str]) -> Iterator[GatewayServer]:
    """A gateway of this module's own, so its ledger connector's counter is ours to read."""
    assert demo_urls["ledger"].startswith("sqlite+aiosqlite:///")
    with GatewayServer(Settings(source_urls=demo_urls)) as server:
        yield server


def ledger_connector(gateway: GatewayServer) -> SqlConnector:
    """The SQL connector under whatever resilience wrappers the runtime puts around it."""
    connector: Any = gateway.app.state.runtime.connectors["ledger"]
    while not isinstance(connector, SqlConnector):
        connector = connector.inner
    return connector


def contacts_by_invoice_source() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(CRM contacts with invoices in both systems, contacts with any legacy invoice)."""
    current = {i["bill_to_email"].casefold() for i in world().invoices}
    legacy = {i["customer_email"].casefold() for i in world().ledger_invoices}
    contacts = world().contacts
    in_both = [c for c in contacts if c["email"].casefold() in current & legacy]
    in_ledger = [c for c in contacts if c["email"].casefold() in legacy]
    return in_both, in_ledger


def legacy_invoice_ids(email: str) -> set[str]:
    email = email.casefold()
    return {i["doc_no"] for i in world().ledger_invoices if i["customer_email"].casefold() == email}


def current_invoice_ids(email: str) -> set[str]:
    email = email.casefold()
    return {i["invoice_no"] for i in world().invoices if i["bill_to_email"].casefold() == email}


async def test_a_customers_invoices_come_from_billing_and_the_legacy_ledger(
    gateway: GatewayServer, demo: DemoSources
) -> None:
    [contact, *_] = contacts_by_invoice_source()[0]
    statements = ledger_connector(gateway).statements
    _, body = await graphql(
        gateway.url,
        "query($id: ID) { customer(id: $id) { invoices { id source issuedOn amount } } }",
        {"id": contact["id"]},
    )
    assert "errors" not in body, body.get("errors")
    invoices = body["data"]["customer"]["invoices"]
    by_source: dict[str, set[str]] = {}
    for invoice in invoices:
        by_source.setdefault(invoice["source"], set()).add(invoice["id"])
    assert by_source == {
        "billing": current_invoice_ids(contact["email"]),
        "ledger": legacy_invoice_ids(contact["email"]),
    }
    issued = [invoice["issuedOn"] for invoice in invoices]
    assert issued == sorted(issued, reverse=True), "newest first, whichever system holds it"
    assert (await demo.stats())["billing"] == 1
    assert ledger_connector(gateway).statements == statements + 1


async def test_one_sql_statement_serves_fifty_customers(
    gateway: GatewayServer, demo: DemoSources
) -> None:
    contacts = contacts_by_invoice_source()[1][:50]
    assert len(contacts) == 50
    statements = ledger_connector(gateway).statements
    _, body = await graphql(
        gateway.url,
        "query($ids: [ID!]!) { customers(ids: $ids) { id invoices { id source } } }",
        {"ids": [c["id"] for c in contacts]},
    )
    assert "errors" not in body, body.get("errors")
    got = {
        customer["id"]: {i["id"] for i in customer["invoices"] if i["source"] == "ledger"}
        for customer in body["data"]["customers"]
    }
    assert got == {c["id"]: legacy_invoice_ids(c["email"]) for c in contacts}
    assert ledger_connector(gateway).statements == statements + 1
    assert (await demo.stats())["billing"] == 1


async def test_an_overdue_invoice_left_in_the_legacy_ledger_still_turns_the_light_red(
    gateway: GatewayServer, demo: DemoSources
) -> None:
    crm_emails = {c["email"].casefold(): c["id"] for c in world().contacts}
    overdue = next(
        i
        for i in world().ledger_invoices
        if i["doc_status"] == "overdue" and i["customer_email"].casefold() in crm_emails
    )
    _, body = await graphql(
        gateway.url,
        "query($id: ID) { customer(id: $id) { health { light reasons { code message } } } }",
        {"id": crm_emails[overdue["customer_email"].casefold()]},
    )
    health = body["data"]["customer"]["health"]
    assert health["light"] == "RED"
    assert any(overdue["doc_no"] in reason["message"] for reason in health["reasons"])
