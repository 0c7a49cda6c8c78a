"""Social listening's view: posts by handle, scored for sentiment.

Handles are stored as the network reports them, so their case may differ from
the CRM's `twitter_handle`; they match case-insensitively.
"""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

from sources.demo.world.names import FIRST_NAMES, LAST_NAMES
from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_timestamp, moment

JsonRecord = dict[str, Any]
BRAND = "@northwindshop"
TEXTS: dict[str, tuple[str, ...]] = {
    "positive": (
        "Loving my new parka from {brand}, warm and light!",
        "Fast delivery and great packaging, thanks {brand}",
        "{brand} support sorted my exchange in five minutes. Impressed.",
        "Third order this year from {brand} and still not disappointed",
    ),
    "neutral": (
        "Anyone tried the trail shoes from {brand}? Thinking about it",
        "Does {brand} ship to Canada?",
        "Browsing the {brand} sale this weekend",
        "Got the newsletter from {brand}, some interesting stuff",
    ),
    "negative": (
        "Still waiting for my refund from {brand}. Two weeks. Unacceptable.",
        "{brand} charged me twice and nobody answers. Never again.",
        "Jacket from {brand} fell apart after one wash. Avoid.",
        "Worst customer service ever, {brand}. Returning everything.",
    ),
}
NETWORKS: tuple[str, ...] = ("x", "instagram", "facebook", "reddit")


def social_listening(rng: Random, people: list[Person], today: date) -> list[JsonRecord]:
    """Mentions for every CRM person with a handle, plus chatter from strangers, oldest first."""
    drafts: list[JsonRecord] = []
    for person in people:
        if person.twitter_handle is None:
            continue
        handle = person.twitter_handle
        for _ in range(rng.randint(1, 5)):
            score = max(-1.0, min(1.0, rng.gauss(0.25, 0.45)))
            drafts.append(_mention(rng, handle, person.full_name, today, rng.randint(1, 90), score))
        if person.role in ("negative_mention", "red_health"):
            score = -rng.uniform(0.7, 0.95)
            drafts.append(_mention(rng, handle, person.full_name, today, 1, score, network="x"))
    for number in range(max(5, len(people) // 20)):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        stranger = f"@{name.split()[0].lower()}_{rng.randint(100, 9999)}_{number}"
        score = max(-1.0, min(1.0, rng.gauss(0.1, 0.5)))
        drafts.append(_mention(rng, stranger, name, today, rng.randint(1, 90), score))
    drafts.sort(key=lambda mention: (mention["posted_at"], mention["handle"]))
    for number, mention in enumerate(drafts):
        mention["mention_id"] = f"MN-{number + 1:07d}"
        mention["url"] = mention["url"].replace("{id}", f"{9100000000 + number * 7919}")
    return drafts


def sentiment_label(score: float) -> str:
    """The thresholds the social tool uses to label a score in -1..1."""
    if score <= -0.3:
        return "negative"
    if score >= 0.3:
        return "positive"
    return "neutral"


def _mention(
    rng: Random,
    handle: str,
    author: str,
    today: date,
    days_ago: int,
    score: float,
    network: str | None = None,
) -> JsonRecord:
    network = network or rng.choices(NETWORKS, weights=(6, 2, 1, 1))[0]
    stored_handle = handle if rng.random() < 0.8 else _recased(handle)
    score = round(score, 2)
    label = sentiment_label(score)
    bare = stored_handle.lstrip("@")
    urls = {
        "x": f"https://x.com/{bare}/status/{{id}}",
        "instagram": "https://www.instagram.com/p/{id}/",
        "facebook": f"https://www.facebook.com/{bare}/posts/{{id}}",
        "reddit": "https://www.reddit.com/r/BuyItForLife/comments/{id}/",
    }
    return {
        "mention_id": "",
        "handle": stored_handle,
        "author_name": author,
        "network": network,
        "text": rng.choice(TEXTS[label]).format(brand=BRAND),
        "sentiment_score": score,
        "sentiment": label,
        "posted_at": iso_timestamp(moment(today, days_ago, rng.randrange(86400))),
        "url": urls[network],
    }


def _recased(handle: str) -> str:
    """`@maria_lopez` → `@Maria_Lopez`: how a network may report the same handle."""
    return "@" + "_".join(part.capitalize() for part in handle.lstrip("@").split("_"))
