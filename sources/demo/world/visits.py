"""Web analytics' view: sessions of the last 60 days, some with a cart, a few of them today.

Events "today" all fall in the first minutes after 00:00 UTC: early enough to
have happened whenever the demo runs, and independent of the wall clock, so
the same (seed, customers, today) always gives the same bytes.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_timestamp, moment

JsonRecord = dict[str, Any]
TODAY_WINDOW_SECONDS = 300
WINDOW_DAYS = 60
LANDING_PAGES: tuple[str, ...] = (
    "/", "/new-arrivals", "/sale", "/products/merino-crew-sweater", "/products/down-parka",
    "/products/trail-running-shoes", "/collections/outerwear", "/blog/layering-guide", "/account",
)  # fmt: skip


def web_analytics(rng: Random, people: list[Person], today: date) -> list[JsonRecord]:
    """Visits of ~70% of people plus a few guests, oldest first."""
    visits: list[JsonRecord] = []
    for person in people:
        if not person.browses:
            continue
        count = rng.choices(range(1, 13), weights=(8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1))[0]
        for _ in range(count):
            visits.append(_visit(rng, person, today, rng.randint(1, WINDOW_DAYS - 1), None))
        if rng.random() < 0.04:
            visits.append(_visit(rng, person, today, 0, None))
        if person.role == "abandoned_cart_today":
            visits.append(_visit(rng, person, today, 0, "abandoned"))
    visits.sort(key=lambda visit: (visit["started_at"], visit["session_id"]))
    return visits


def _visit(
    rng: Random, person: Person, today: date, days_ago: int, cart_status: str | None
) -> JsonRecord:
    if days_ago == 0:
        start_second = rng.randrange(TODAY_WINDOW_SECONDS - 120)
        duration = rng.randint(30, 120)
    else:
        start_second = rng.randrange(86400)
        duration = rng.randint(20, 1800)
    started = moment(today, days_ago, start_second)
    ended = started + timedelta(seconds=duration)
    has_cart = cart_status is not None or rng.random() < 0.4
    if cart_status is None and has_cart:
        if days_ago <= 1 and rng.random() < 0.4:
            cart_status = "active"
        else:
            cart_status = "converted" if rng.random() < 0.45 else "abandoned"
    cart = None
    if cart_status is not None:
        items = rng.randint(1, 5)
        cart = {
            "cart_id": f"cart_{rng.getrandbits(40):010x}",
            "status": cart_status,
            "value": round(sum(rng.uniform(14, 250) for _ in range(items)), 2),
            "items": items,
            "updated_at": iso_timestamp(ended),
        }
    return {
        "session_id": f"ws_{rng.getrandbits(64):016x}",
        "user_email": person.email,
        "started_at": iso_timestamp(started),
        "ended_at": iso_timestamp(ended),
        "pages_viewed": rng.randint(1, 25),
        "landing_page": rng.choice(LANDING_PAGES),
        "referrer": rng.choices(
            ("search", "newsletter", "direct", "social", "ads"), weights=(5, 2, 4, 2, 2)
        )[0],
        "device": rng.choices(("mobile", "desktop", "tablet"), weights=(5, 4, 1))[0],
        "cart": cart,
    }
