"""Lifetime value and next best offer over given records (stand-in loaders, no sources)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from resolvers.process.clv import BgNbdParams, ClvModel, GammaGammaParams
from resolvers.process.identity import find_person
from resolvers.process.intelligence import Intelligence
from resolvers.process.policy import IntelligencePolicy, Offer
from resolvers.process.scoring import ModelNotReady, lifetime_value_of, next_best_offer_of
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.records import Order
from tests.fake_loaders import NOW, FakeLoaders

MODEL = ClvModel(BgNbdParams(0.25, 9.0, 0.8, 2.5), GammaGammaParams(6.0, 4.0, 15.0), NOW, 1000, NOW)


async def over(orders: list[Order]) -> tuple[CustomerLoaders, object]:
    fakes = FakeLoaders(orders=0)
    fakes.records["orders"] = orders
    loaders = CustomerLoaders.over(fakes)  # type: ignore[arg-type]
    person = await find_person(loaders, "email", "ada@example.com")
    assert person is not None
    return loaders, person


async def test_lifetime_value_waits_for_the_background_fit() -> None:
    loaders, person = await over([Order("orders", "SO-1", NOW - timedelta(days=5), 40.0)])
    with pytest.raises(ModelNotReady) as error:
        await lifetime_value_of(loaders, person, NOW, Intelligence())  # type: ignore[arg-type]
    assert error.value.extensions == {"code": "MODEL_NOT_READY"}


async def test_a_repeat_buyer_is_worth_more_than_a_one_off_and_a_prospect_nothing() -> None:
    intelligence = Intelligence()
    intelligence.clv_models.current = MODEL
    steady = [Order("orders", f"SO-{d}", NOW - timedelta(days=d), 60.0) for d in range(3, 300, 20)]
    once = [Order("orders", "SO-x", NOW - timedelta(days=200), 60.0)]
    values = []
    for orders in (steady, once, []):
        loaders, person = await over(orders)
        value = await lifetime_value_of(loaders, person, NOW, intelligence)  # type: ignore[arg-type]
        assert value.horizon_months == 12 and value.model_as_of == NOW
        values.append(value)
    assert values[0].expected_value > values[1].expected_value > 0
    assert values[0].expected_purchases > values[1].expected_purchases
    assert (values[2].expected_purchases, values[2].expected_value) == (0.0, 0.0)


async def test_no_offer_when_none_is_worth_making() -> None:
    losing = Offer(id="free-gift", name="A free gift", value=5.0, cost=20.0, marketing=False)
    intelligence = Intelligence(policy=IntelligencePolicy(offers=(losing,)))
    loaders, person = await over([Order("orders", "SO-1", NOW - timedelta(days=5), 40.0)])
    assert await next_best_offer_of(loaders, person, NOW, intelligence) is None  # type: ignore[arg-type]
    worth = Offer(id="gift", name="A gift", value=50.0, cost=1.0, marketing=False)
    intelligence = Intelligence(policy=IntelligencePolicy(offers=(losing, worth)))
    choice = await next_best_offer_of(loaders, person, NOW, intelligence)  # type: ignore[arg-type]
    assert choice is not None and choice.offer.id == "gift"
