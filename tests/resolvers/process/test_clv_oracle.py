"""The CLV models against the ``lifetimes`` package on the same 20,000 generated customers.

The data is drawn from the models' own generative story (gamma purchase rates,
beta drop-out probabilities, gamma spend), so both fits have a true answer to
find; each fitted parameter and the 12-month CLV must agree within 1% mean
relative error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter

from resolvers.process.clv import (
    ClvModel,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    lifetime_values,
)

CUSTOMERS = 20_000
OBSERVED_DAYS = 365.0
TRUE = {"r": 0.25, "alpha": 9.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "v": 15.0}
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def generated(seed: int = 20) -> pd.DataFrame:
    """BG/NBD purchase histories with Gamma-Gamma spend, observed for 365 days after a start."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], CUSTOMERS)
    drop = rng.beta(TRUE["a"], TRUE["b"], CUSTOMERS)
    big_t = rng.uniform(60, OBSERVED_DAYS, CUSTOMERS).round()
    clock = np.zeros(CUSTOMERS)
    alive = np.ones(CUSTOMERS, dtype=bool)
    x = np.zeros(CUSTOMERS)
    t_x = np.zeros(CUSTOMERS)
    for _ in range(400):  # enough purchases for the fastest buyers in a year
        clock = clock + rng.exponential(1 / np.maximum(rate, 1e-12))
        bought = alive & (clock < big_t)
        x += bought
        t_x = np.where(bought, clock, t_x)
        alive = bought & (rng.random(CUSTOMERS) >= drop)
        if not alive.any():
            break
    nu = rng.gamma(TRUE["q"], 1 / TRUE["v"], CUSTOMERS)
    mean_spend = np.where(
        x > 0, rng.gamma(TRUE["p"] * np.maximum(x, 1), 1) / (nu * np.maximum(x, 1)), 0.0
    )
    return pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t, "monetary_value": mean_spend})


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return generated()


def relative_error(ours: float, theirs: float) -> float:
    return abs(ours - theirs) / abs(theirs)


def test_fitted_parameters_match_lifetimes_within_one_percent(data: pd.DataFrame) -> None:
    x, t_x, big_t = (data[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    ours = fit_bgnbd(x, t_x, big_t)
    oracle = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    errors = [
        relative_error(getattr(ours, k), float(oracle.params_[k])) for k in "r alpha a b".split()
    ]
    assert np.mean(errors) < 0.01, (ours, dict(oracle.params_))
    assert max(errors) < 0.02

    repeat = data[data["frequency"] > 0]
    spend = fit_gamma_gamma(
        repeat["frequency"].to_numpy(float), repeat["monetary_value"].to_numpy(float)
    )
    oracle_spend = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    errors = [relative_error(getattr(spend, k), float(oracle_spend.params_[k])) for k in "pqv"]
    assert np.mean(errors) < 0.01, (spend, dict(oracle_spend.params_))


def test_twelve_month_clv_matches_lifetimes_within_one_percent(data: pd.DataFrame) -> None:
    x, t_x, big_t, m = (
        data[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value")
    )
    repeat = x > 0
    model = ClvModel(
        fit_bgnbd(x, t_x, big_t), fit_gamma_gamma(x[repeat], m[repeat]), NOW, CUSTOMERS, NOW
    )
    ours = lifetime_values(model, x, t_x, big_t, m, 12, 0.01)

    bgf = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    rep = data[repeat]
    ggf = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    theirs = ggf.customer_lifetime_value(
        bgf,
        data["frequency"],
        data["recency"],
        data["T"],
        data["monetary_value"],
        time=12,
        freq="D",
        discount_rate=0.01,
    ).to_numpy(float)
    assert np.all(np.isfinite(ours))
    mre = float(np.mean(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-9)))
    assert mre < 0.01, mre
    assert ours.sum() > 0


def test_expected_purchases_follow_the_published_closed_form_on_a_hand_case() -> None:
    """No repeat purchase: E[X(t)] = (a+b-1)/(a-1) · (1 - ((α+T)/(α+T+t))^r · 2F1(...))."""
    from scipy.special import hyp2f1

    from resolvers.process.clv import BgNbdParams

    params = BgNbdParams(r=0.5, alpha=10.0, a=1.5, b=3.0)
    t, big_t = 30.0, 100.0
    z = t / (params.alpha + big_t + t)
    hand = (
        (params.a + params.b - 1)
        / (params.a - 1)
        * (
            1
            - ((params.alpha + big_t) / (params.alpha + big_t + t)) ** params.r
            * hyp2f1(params.r, params.b, params.a + params.b - 1, z)
        )
    )
    ours = expected_purchases(params, t, np.array([0.0]), np.array([0.0]), np.array([big_t]))
    assert ours[0] == pytest.approx(hand / 1.0, rel=1e-9)
