"""The survey system's view: "How likely are you to recommend us?" answered 0-10, with a date.

Scores drift up over the last eighteen months (so the NPS has a trend), the
people with a planted bad experience answer as detractors, a few answers arrive
as text (`"9"`) and some surveys were opened but never scored (`score: null`).
"""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

from sources.demo.world.names import title_case_email
from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_timestamp, moment

JsonRecord = dict[str, Any]

HISTORY_DAYS = 540
UNHAPPY_ROLES = frozenset({"loses_money", "red_health", "negative_mention"})
COMMENTS: dict[str, tuple[str, ...]] = {
    "promoter": ("Fast delivery, great quality.", "Always helpful.", "Love the new range."),
    "passive": ("Fine, nothing special.", "Delivery was slow this time.", ""),
    "detractor": ("Returns are a nightmare.", "Still waiting for my refund.", "Rude support."),
}


def survey_responses(rng: Random, people: list[Person], today: date) -> list[JsonRecord]:
    """Responses `R-…` numbered by submission time, from about half of the people."""
    drafts: list[JsonRecord] = []
    for person in people:
        if person.role not in UNHAPPY_ROLES and rng.random() > 0.5:
            continue
        for _ in range(rng.choices((1, 2, 3), weights=(5, 2, 1))[0]):
            drafts.append(_response(rng, person, today))
    drafts.sort(key=lambda response: (response["submitted_at"], response["respondent_email"]))
    for number, response in enumerate(drafts):
        response["response_id"] = f"R-{number + 1:06d}"
    return drafts


def _response(rng: Random, person: Person, today: date) -> JsonRecord:
    days_ago = rng.randint(0, HISTORY_DAYS)
    if person.role in UNHAPPY_ROLES:
        score = rng.randint(0, 4)
    else:
        # Newer answers lean happier: the mean rises about one point over the history.
        mean = 8.3 - days_ago / HISTORY_DAYS
        score = max(0, min(10, round(rng.gauss(mean, 1.9))))
    kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    answer: int | str | None = score
    draw = rng.random()
    if draw < 0.05:
        answer = None  # opened, never scored
    elif draw < 0.12:
        answer = str(score)
    return {
        "response_id": "",
        "respondent_email": title_case_email(person.email) if rng.random() < 0.1 else person.email,
        "survey": "nps-relationship",
        "score": answer,
        "comment": rng.choice(COMMENTS[kind]),
        "channel": rng.choice(("email", "in_app", "sms")),
        "submitted_at": iso_timestamp(moment(today, days_ago, rng.randrange(86400))),
    }
