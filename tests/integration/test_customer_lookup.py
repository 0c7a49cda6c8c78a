"""Finding a customer by any identifier, over real HTTP against the demo sources."""

from __future__ import annotations

import pytest

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, planted

LOOKUP = "query($phone: String) { customer(phone: $phone) { id name email } }"


@pytest.mark.parametrize(
    "phone", ["(555) 010-2345", "+1 555 010 2345", "555.010.2345", "5550102345"]
)
async def test_phone_in_any_common_format_finds_the_same_customer(
    gateway_url: str, demo: DemoSources, phone: str
) -> None:
    expected = planted("phone_formats").crm_ids[0]
    status, body = await graphql(gateway_url, LOOKUP, {"phone": phone})
    assert status == 200 and "errors" not in body
    assert body["data"]["customer"]["id"] == expected


async def test_unknown_phone_id_and_email_are_null_without_error(
    gateway_url: str, demo: DemoSources
) -> None:
    query = """{ byPhone: customer(phone: "+1 212 000 0000") { id }
                 byId: customer(id: "C-99999999") { id }
                 byEmail: customer(email: "nobody@nowhere.example") { id } }"""
    status, body = await graphql(gateway_url, query)
    assert status == 200
    assert "errors" not in body
    assert body["data"] == {"byPhone": None, "byId": None, "byEmail": None}


async def test_email_lookup_ignores_case(gateway_url: str, demo: DemoSources) -> None:
    crm_id = planted("champion").crm_ids[0]
    email = contact(crm_id)["email"].upper()
    _, body = await graphql(
        gateway_url, "query($e: String) { customer(email: $e) { id } }", {"e": email}
    )
    assert body["data"]["customer"]["id"] == crm_id


async def test_a_phone_that_is_not_a_phone_is_a_clear_input_error(
    gateway_url: str, demo: DemoSources
) -> None:
    status, body = await graphql(gateway_url, LOOKUP, {"phone": "call me maybe"})
    assert status == 200
    assert body["data"] == {"customer": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not a valid phone" in error["message"]
    assert (await demo.stats())["crm"] == 0


async def test_customer_needs_exactly_one_identifier(gateway_url: str, demo: DemoSources) -> None:
    _, body = await graphql(gateway_url, '{ customer(id: "C-10001", email: "a@b.c") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exactly one of id, phone or email" in body["errors"][0]["message"]


async def test_customers_by_ids_keeps_order_and_nulls_unknown(
    gateway_url: str, demo: DemoSources
) -> None:
    first, second = planted("champion").crm_ids[0], planted("no_orders").crm_ids[0]
    _, body = await graphql(
        gateway_url,
        "query($ids: [ID!]!) { customers(ids: $ids) { id } }",
        {"ids": [second, "C-00000000", first]},
    )
    assert body["data"]["customers"] == [{"id": second}, None, {"id": first}]
    assert (await demo.stats())["crm"] == 1


async def test_duplicate_crm_records_are_both_listed_as_identities(
    gateway_url: str, demo: DemoSources
) -> None:
    case = planted("crm_duplicate")
    phone = contact(case.crm_ids[0])["phone"]
    _, body = await graphql(
        gateway_url,
        "query($p: String) { customer(phone: $p) { id identities { system recordId matchedOn } } }",
        {"p": phone},
    )
    # The contact book holds them too (same phone): their record is listed as well.
    identities = [i for i in body["data"]["customer"]["identities"] if i["system"] == "crm"]
    assert {i["recordId"] for i in identities} == set(case.crm_ids)
    assert {i["matchedOn"] for i in identities} == {"phone"}


async def test_a_since_without_time_zone_is_a_clear_input_error(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("abandoned_cart_today").crm_ids[0]
    query = """query($id: ID, $since: DateTime) { customer(id: $id) {
        name webVisits(since: $since) { id } } }"""
    _, body = await graphql(gateway_url, query, {"id": crm_id, "since": "2025-06-01T12:00:00"})
    assert body["data"]["customer"]["name"], "the rest of the customer is answered"
    assert body["data"]["customer"]["webVisits"] is None
    [error] = body["errors"]
    assert error["path"] == ["customer", "webVisits"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "since"
    assert "no time zone" in error["message"] and '"2025-06-01T12:00:00Z"' in error["message"]
    assert (await demo.stats())["web"] == 0, "nothing is fetched for a question with no answer"

    _, body = await graphql(gateway_url, query, {"id": crm_id, "since": "2025-06-01T12:00:00Z"})
    assert "errors" not in body
    assert body["data"]["customer"]["webVisits"], "with a time zone, the visits since then"
