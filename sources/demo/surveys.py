"""The demo survey system: NPS answers (0-10) by respondent email or all, and NPS per month."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    integer,
    list_of,
    number,
    obj,
    string,
)
from sources.demo.params import required_batch
from sources.demo.reports import as_of_now, month_of, scope_parameter, wants_everything
from sources.demo.service import DemoService, Knobs

JsonRecord = dict[str, Any]
SYSTEM = "surveys"


def score_of(response: JsonRecord) -> int | None:
    """The 0-10 answer, whether it came as a number or as text; None when never scored."""
    score = response["score"]
    return int(score) if score is not None else None


class SurveySystem:
    """Responses newest first, indexed by lower-cased respondent email."""

    def __init__(self, world: DemoWorld) -> None:
        self.responses = sorted(
            world.survey_responses, key=lambda r: r["submitted_at"], reverse=True
        )
        self.by_email: dict[str, list[JsonRecord]] = {}
        for response in self.responses:
            self.by_email.setdefault(response["respondent_email"].lower(), []).append(response)

    async def response_list(self, request: web.Request) -> web.Response:
        if wants_everything(request, ("emails",)):
            return web.json_response({"data": self.responses})
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "emails"))
        found = [r for email in emails for r in self.by_email.get(email, [])]
        return web.json_response({"data": found})

    async def nps_report(self, request: web.Request) -> web.Response:
        """Scored answers per month: promoters (9-10), passives (7-8), detractors (0-6), NPS."""
        months: dict[str, list[int]] = {}
        for response in self.responses:
            score = score_of(response)
            if score is not None:
                months.setdefault(month_of(response["submitted_at"]), []).append(score)
        as_of = as_of_now()
        rows = []
        for month, scores in sorted(months.items()):
            promoters = sum(score >= 9 for score in scores)
            detractors = sum(score <= 6 for score in scores)
            rows.append(
                {
                    "month": month,
                    "responses": len(scores),
                    "promoters": promoters,
                    "passives": len(scores) - promoters - detractors,
                    "detractors": detractors,
                    "nps": round(100 * (promoters - detractors) / len(scores), 1),
                    "as_of": as_of,
                }
            )
        return web.json_response({"data": rows})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    system = SurveySystem(world)
    routes = [
        web.get("/responses", system.response_list),
        web.get("/stats/nps", system.nps_report),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "Response": obj(
        {
            "response_id": string("Response id.", example="R-000123"),
            "respondent_email": string("Respondent's email (case varies).", fmt="email"),
            "survey": string("Which survey.", example="nps-relationship"),
            "score": integer(
                "0-10 'how likely are you to recommend us'; sometimes text, null if never scored."
            ),
            "comment": string("Free text, may be empty."),
            "channel": string("Where it was answered.", enum=("email", "in_app", "sms")),
            "submitted_at": string("When, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "NpsMonth": obj(
        {
            "month": string("Month answered, YYYY-MM.", example="2026-03"),
            "responses": integer("Scored answers."),
            "promoters": integer("Answers 9-10."),
            "passives": integer("Answers 7-8."),
            "detractors": integer("Answers 0-6."),
            "nps": number("Promoters minus detractors, in % of answers."),
            "as_of": string("When the report was computed, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "ResponseList": list_of("Response"),
    "NpsReport": list_of("NpsMonth"),
}

OPENAPI = document(
    SYSTEM,
    "Survey answers (NPS) by respondent email or all, and NPS per month.",
    {
        "/responses": {
            "get": get_operation(
                "getResponses",
                "Every answer (scope=all) or answers by respondent email, newest first",
                [
                    scope_parameter(),
                    batch_parameter(
                        "emails", "Respondent emails.", "maria.lopez@example.com", required=False
                    ),
                ],
                "ResponseList",
            )
        },
        "/stats/nps": {
            "get": get_operation(
                "getNpsReport", "NPS per month of answers", [scope_parameter()], "NpsReport"
            )
        },
    },
    SCHEMAS,
)
