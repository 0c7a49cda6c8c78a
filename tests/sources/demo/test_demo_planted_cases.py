"""Each planted mess is really there in what the systems serve, found by role, not by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sources.demo.cluster import DemoCluster
from sources.demo.control import DemoControl


async def _contact(control: DemoControl, cluster: DemoCluster, crm_id: str) -> dict:
    found = await control.get("crm", "/contacts", ids=crm_id)
    assert len(found["data"]) == 1
    return found["data"][0]


async def test_phone_in_three_formats_finds_the_same_contact(
    cluster: DemoCluster, control: DemoControl
) -> None:
    case = cluster.world.planted_case("phone_formats")
    contact = await _contact(control, cluster, case.crm_ids[0])
    assert contact["phone"] == "(555) 010-2345"
    for phone in ("(555) 010-2345", "+1 555 010 2345", "555.010.2345"):
        found = await control.get("crm", "/contacts", phones=phone)
        assert [c["id"] for c in found["data"]] == [case.crm_ids[0]], phone
    customers = await control.get("orders", "/customers", emails=contact["email"])
    assert customers["data"][0]["phone"] == "+1 555 010 2345"


async def test_street_is_abbreviated_in_crm_and_spelled_out_in_orders(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(
        control, cluster, cluster.world.planted_case("street_abbreviation").crm_ids[0]
    )
    assert contact["street"].endswith(" Main St")
    customers = await control.get("orders", "/customers", emails=contact["email"])
    shipping = customers["data"][0]["shipping_address"]
    assert shipping.startswith(contact["street"] + "reet, " + contact["city"])


async def test_email_case_differs_but_still_matches(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(control, cluster, cluster.world.planted_case("email_case").crm_ids[0])
    customers = await control.get("orders", "/customers", emails=contact["email"])
    accounts = await control.get("billing", "/accounts", emails=contact["email"])
    for stored in (customers["data"][0]["email"], accounts["data"][0]["email"]):
        assert stored != contact["email"] and stored.lower() == contact["email"].lower()


async def test_billing_holder_has_a_surname_typo(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(
        control, cluster, cluster.world.planted_case("surname_typo").crm_ids[0]
    )
    accounts = await control.get("billing", "/accounts", emails=contact["email"])
    first, surname = accounts["data"][0]["holder"].split(" ", 1)
    assert first == contact["first_name"]
    assert surname != contact["last_name"] and sorted(surname) == sorted(contact["last_name"])


async def test_same_person_twice_in_the_crm(cluster: DemoCluster, control: DemoControl) -> None:
    first_id, second_id = cluster.world.planted_case("crm_duplicate").crm_ids
    first, second = (
        await _contact(control, cluster, first_id),
        await _contact(control, cluster, second_id),
    )
    assert second["email"] == first["email"].upper()
    assert second["last_name"] != first["last_name"]
    assert second["phone"] != first["phone"]
    by_phone = await control.get("crm", "/contacts", phones=second["phone"])
    assert {c["id"] for c in by_phone["data"]} == {first_id, second_id}


async def test_customer_who_loses_money(cluster: DemoCluster, control: DemoControl) -> None:
    contact = await _contact(control, cluster, cluster.world.planted_case("loses_money").crm_ids[0])
    orders = (await control.get("orders", "/orders", customer_emails=contact["email"]))["data"]
    tickets = (await control.get("support", "/tickets", requester_emails=contact["email"]))["data"]
    kept = [o for o in orders if o["status"] not in ("returned", "cancelled")]
    margin = sum(o["total"] - o["cost_of_goods"] for o in kept)
    cost_to_serve = sum(o["shipping_cost"] for o in orders) + sum(
        t["handling_minutes"] for t in tickets
    )
    assert sum(o["status"] == "returned" for o in orders) > len(orders) / 2
    assert margin < cost_to_serve


async def test_cart_abandoned_today(cluster: DemoCluster, control: DemoControl) -> None:
    contact = await _contact(
        control, cluster, cluster.world.planted_case("abandoned_cart_today").crm_ids[0]
    )
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    visits = (
        await control.get(
            "web",
            "/visits",
            user_emails=contact["email"],
            since=midnight.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )["data"]
    abandoned = [v for v in visits if v["cart"] and v["cart"]["status"] == "abandoned"]
    assert abandoned
    updated = datetime.fromisoformat(abandoned[0]["cart"]["updated_at"].replace("Z", "+00:00"))
    assert midnight <= updated <= datetime.now(UTC)


async def test_negative_mention_in_the_last_two_days(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(
        control, cluster, cluster.world.planted_case("negative_mention").crm_ids[0]
    )
    handle = contact["twitter_handle"].upper()  # handles match case-insensitively
    mentions = (await control.get("social", "/mentions", handles=handle))["data"]
    recent = datetime.now(UTC) - timedelta(days=2)
    assert any(
        m["sentiment"] == "negative"
        and m["sentiment_score"] <= -0.6
        and datetime.fromisoformat(m["posted_at"].replace("Z", "+00:00")) >= recent
        for m in mentions
    )


async def test_red_health_customer_has_all_three_alarms(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(control, cluster, cluster.world.planted_case("red_health").crm_ids[0])
    email = contact["email"]
    tickets = (await control.get("support", "/tickets", requester_emails=email))["data"]
    invoices = (await control.get("billing", "/invoices", bill_to_emails=email))["data"]
    mentions = (await control.get("social", f"/authors/{contact['twitter_handle']}/mentions"))[
        "data"
    ]
    assert any(t["priority"] == "urgent" and t["status"] == "open" for t in tickets)
    assert any(i["status"] == "overdue" for i in invoices)
    assert any(m["sentiment"] == "negative" for m in mentions)


async def test_champion_is_in_the_top_rfm_quintile(
    cluster: DemoCluster, control: DemoControl
) -> None:
    contact = await _contact(control, cluster, cluster.world.planted_case("champion").crm_ids[0])
    orders = (await control.get("orders", "/orders", customer_emails=contact["email"]))["data"]
    rfm = await control.get("orders", "/stats/rfm")
    placed = datetime.fromisoformat(orders[0]["placed_at"].replace("Z", "+00:00"))
    assert (cluster.world.today - placed.date()).days <= rfm["recency_days"][0]
    assert len(orders) > rfm["frequency"][-1]
    kept = sum(o["total"] for o in orders if o["status"] not in ("cancelled", "returned"))
    assert kept > rfm["monetary"][-1]


async def test_contact_with_no_orders_anywhere(cluster: DemoCluster, control: DemoControl) -> None:
    contact = await _contact(control, cluster, cluster.world.planted_case("no_orders").crm_ids[0])
    orders = await control.get("orders", "/orders", customer_emails=contact["email"])
    invoices = await control.get("billing", "/invoices", bill_to_emails=contact["email"])
    assert orders["data"] == [] and invoices["data"] == []
