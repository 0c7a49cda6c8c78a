"""Customer intelligence through GraphQL against the demo sources."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import planted

INTEL = """
query($id: ID!) {
  customer(id: $id) {
    rfm { code recency frequency monetary windowDays populationSize populationAsOf }
    segment { name }
    profitability { revenue profit tier costToServe refunds tickets { channel tickets cost } }
    churnRisk { score level reasons { code message } }
    nextBestOffer { offerId segment acceptanceRate expectedValue accepted declined marketing }
  }
}
"""
RECORD = """
mutation($id: ID!, $offer: String!, $outcome: OfferOutcome!) {
  recordOfferOutcome(customerId: $id, offerId: $offer, outcome: $outcome) {
    customerId offerId outcome segment
  }
}
"""
CLV = "query($id: ID!) { customer(id: $id) { lifetimeValue { expectedValue expectedPurchases horizonMonths modelAsOf population } } }"  # noqa: E501


async def test_champion_scores_high_and_gets_a_segment_offer(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("champion").crm_ids[0]
    _, body = await graphql(gateway_url, INTEL, {"id": crm_id})
    customer = body["data"]["customer"]
    assert customer["rfm"]["recency"] == 5 and customer["rfm"]["frequency"] == 5
    assert customer["rfm"]["windowDays"] == 365 and customer["rfm"]["populationSize"] > 100
    assert customer["segment"]["name"] == "Champions"
    assert customer["profitability"]["profit"] > 0
    offer = customer["nextBestOffer"]
    if offer is not None:  # without marketing consent only service offers remain
        assert offer["segment"] == "Champions"


async def test_a_customer_who_loses_money_is_in_the_negative_tier(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("loses_money").crm_ids[0]
    _, body = await graphql(gateway_url, INTEL, {"id": crm_id})
    profit = body["data"]["customer"]["profitability"]
    assert profit["profit"] < 0 and profit["tier"] == "NEGATIVE"
    assert profit["refunds"] > 0


async def test_unknown_offer_is_bad_user_input(gateway_url: str, demo: DemoSources) -> None:
    crm_id = planted("champion").crm_ids[0]
    _, body = await graphql(
        gateway_url, RECORD, {"id": crm_id, "offer": "no-such-offer", "outcome": "ACCEPTED"}
    )
    assert body["data"]["recordOfferOutcome"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no-such-offer" in error["message"] and "winback-20" in error["message"]


async def test_recorded_outcomes_teach_the_rates_and_survive_a_restart(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    dsn = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    crm_id = planted("champion").crm_ids[0]
    url = start_gateway(state_dsn=dsn)
    _, before = await graphql(url, INTEL, {"id": crm_id})
    offer = before["data"]["customer"]["nextBestOffer"]
    assert offer is not None
    for outcome in ("ACCEPTED", "ACCEPTED", "DECLINED"):
        _, body = await graphql(
            url, RECORD, {"id": crm_id, "offer": offer["offerId"], "outcome": outcome}
        )
        assert body["data"]["recordOfferOutcome"]["segment"] == offer["segment"]
    restarted = start_gateway(state_dsn=dsn)
    _, after = await graphql(restarted, INTEL, {"id": crm_id})
    learnt = after["data"]["customer"]["nextBestOffer"]
    same = learnt if learnt["offerId"] == offer["offerId"] else None
    assert same is not None
    assert (same["accepted"], same["declined"]) == (offer["accepted"] + 2, offer["declined"] + 1)


async def test_lifetime_value_comes_from_the_background_fit(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("champion").crm_ids[0]
    for _ in range(60):
        _, body = await graphql(gateway_url, CLV, {"id": crm_id})
        value = body["data"]["customer"]["lifetimeValue"]
        if value is not None:
            break
        assert body["errors"][0]["extensions"]["code"] == "MODEL_NOT_READY"
        await asyncio.sleep(0.5)
    assert value is not None
    assert value["horizonMonths"] == 12 and value["population"] > 100
    assert value["expectedValue"] > 0 and value["expectedPurchases"] > 0


AGENT = """
query($phone: String!) {
  agentView(phone: $phone) {
    health { light reasons { code light message } }
    nextBestOffer { offerId marketing expectedValue reason }
  }
}
"""


async def test_agent_light_says_who_costs_more_than_they_bring(
    gateway_url: str, demo: DemoSources
) -> None:
    from tests.integration.world import contact

    phone = contact(planted("loses_money").crm_ids[0])["phone"]
    _, body = await graphql(gateway_url, AGENT, {"phone": phone})
    view = body["data"]["agentView"]
    reasons = {r["code"]: r for r in view["health"]["reasons"]}
    assert reasons["UNPROFITABLE"]["light"] == "YELLOW"
    assert "Costs more than it brings" in reasons["UNPROFITABLE"]["message"]
    offer = view["nextBestOffer"]
    assert offer is not None and offer["reason"]


SCORES = """
query($id: ID!) {
  customer(id: $id) {
    rfm { code windowDays populationSize populationSource populationAsOf }
    segment { name }
  }
}
"""


async def test_the_gateways_own_scan_finds_the_population_the_aggregate_reports(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    """With population_scan.mode: always, the paged customer list + batched orders stand in
    for /stats/rfm; the same demo data gives the same population and the same scores."""
    config = tmp_path / "intelligence.yaml"
    config.write_text("population_scan: {mode: always, batch: 150}\n", encoding="utf-8")
    crm_id = planted("champion").crm_ids[0]
    _, aggregate = await graphql(
        start_gateway(state_dsn=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"), SCORES, {"id": crm_id}
    )
    url = start_gateway(
        intelligence_file=config, state_dsn=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"
    )
    for _ in range(120):
        _, scanned = await graphql(url, SCORES, {"id": crm_id})
        if scanned["data"]["customer"]["rfm"]["populationSource"] == "scan":
            break
        await asyncio.sleep(0.25)
    ours, theirs = scanned["data"]["customer"], aggregate["data"]["customer"]
    assert ours["rfm"]["populationSource"] == "scan"
    assert theirs["rfm"]["populationSource"] == "orders"
    size, reported = ours["rfm"]["populationSize"], theirs["rfm"]["populationSize"]
    assert abs(size - reported) <= max(2, reported // 100)  # the window's edge: a day's rounding
    assert ours["rfm"]["code"] == theirs["rfm"]["code"]
    assert ours["segment"] == theirs["segment"]


async def test_the_scan_is_bounded_by_max_customers(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    config = tmp_path / "intelligence.yaml"
    config.write_text(
        "population_scan: {mode: always, max_customers: 40, batch: 15}\n", encoding="utf-8"
    )
    url = start_gateway(
        intelligence_file=config, state_dsn=f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    )
    crm_id = planted("champion").crm_ids[0]
    for _ in range(120):
        _, body = await graphql(url, SCORES, {"id": crm_id})
        rfm = body["data"]["customer"]["rfm"]
        if rfm["populationSource"] == "scan":
            break
        await asyncio.sleep(0.25)
    assert rfm["populationSource"] == "scan"
    assert 0 < rfm["populationSize"] <= 40
