"""The demo world as the test process sees it: same seed, same day, same people."""

from __future__ import annotations

from functools import cache
from typing import Any

from sources.demo.data import generate


@cache
def world() -> Any:
    return generate(seed=360, customers=1000)


def planted(case: str) -> Any:
    return next(p for p in world().planted if p.case == case)


def contact(crm_id: str) -> dict[str, Any]:
    return next(c for c in world().contacts if c["id"] == crm_id)
