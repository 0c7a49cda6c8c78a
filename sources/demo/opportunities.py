"""The demo CRM's sales pipeline: opportunities by email or all of them, and a pipeline report."""

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
    money,
    number,
    obj,
    string,
)
from sources.demo.params import required_batch
from sources.demo.reports import as_of_now, scope_parameter, wants_everything
from sources.demo.service import DemoService, Knobs
from sources.demo.world.pipeline import OPEN_STAGES, STAGES, stage_age_days

JsonRecord = dict[str, Any]
SYSTEM = "opportunities"


def canonical_stage(spelled: str) -> str:
    """`Closed Won`, `CLOSED-WON` and `closed_won` are one stage to the report."""
    return spelled.strip().lower().replace(" ", "_").replace("-", "_")


class SalesPipeline:
    """Opportunities (newest first), indexed by lower-cased contact email."""

    def __init__(self, world: DemoWorld) -> None:
        self.today = world.today
        self.opportunities = sorted(
            world.opportunities, key=lambda o: o["created_at"], reverse=True
        )
        self.by_email: dict[str, list[JsonRecord]] = {}
        for opportunity in self.opportunities:
            email = opportunity["contact_email"].lower()
            self.by_email.setdefault(email, []).append(opportunity)

    async def opportunity_list(self, request: web.Request) -> web.Response:
        if wants_everything(request, ("emails",)):
            return web.json_response({"data": self.opportunities})
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "emails"))
        found = [o for email in emails for o in self.by_email.get(email, [])]
        return web.json_response({"data": found})

    async def pipeline_report(self, request: web.Request) -> web.Response:
        """Open opportunities per stage: how many, how much, how long they have sat there."""
        ages: dict[str, list[int]] = {stage: [] for stage in OPEN_STAGES}
        amounts: dict[str, float] = dict.fromkeys(OPEN_STAGES, 0.0)
        for opportunity in self.opportunities:
            stage = canonical_stage(opportunity["stage"])
            if stage in ages:
                ages[stage].append(stage_age_days(opportunity, self.today))
                amounts[stage] += float(opportunity["amount"])
        as_of = as_of_now()
        rows = [
            {
                "stage": stage,
                "opportunities": len(ages[stage]),
                "amount": round(amounts[stage], 2),
                "average_days_in_stage": round(sum(ages[stage]) / len(ages[stage]), 1)
                if ages[stage]
                else 0.0,
                "max_days_in_stage": max(ages[stage], default=0),
                "as_of": as_of,
            }
            for stage in OPEN_STAGES
        ]
        return web.json_response({"data": rows})

    async def won_report(self, request: web.Request) -> web.Response:
        """Won deals per month closed and the campaign that sourced them (null: none)."""
        deals: dict[tuple[str, str | None], list[float]] = {}
        for opportunity in self.opportunities:
            if canonical_stage(opportunity["stage"]) != "closed_won":
                continue
            key = (opportunity["close_date"][:7], opportunity["campaign_id"])
            deals.setdefault(key, []).append(float(opportunity["amount"]))
        as_of = as_of_now()
        rows = [
            {
                "month": month,
                "campaign_id": campaign,
                "deals": len(amounts),
                "amount": round(sum(amounts), 2),
                "as_of": as_of,
            }
            for (month, campaign), amounts in sorted(
                deals.items(), key=lambda i: (i[0][0], i[0][1] or "")
            )
        ]
        return web.json_response({"data": rows})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    system = SalesPipeline(world)
    routes = [
        web.get("/opportunities", system.opportunity_list),
        web.get("/stats/pipeline", system.pipeline_report),
        web.get("/stats/won", system.won_report),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "Opportunity": obj(
        {
            "opportunity_id": string("Opportunity id.", example="OPP-00042"),
            "name": string("What is being sold to whom."),
            "contact_email": string("The person's email as the rep typed it.", fmt="email"),
            "account_id": string("CRM account (employer) id.", example="A-512"),
            "stage": string(
                "Stage as the rep's tool wrote it ('Closed Won', 'CLOSED-WON', 'closed_won'); "
                f"one of {', '.join(STAGES)} once normalised."
            ),
            "amount": money("Deal value (sometimes sent as text)"),
            "currency": string("ISO currency code.", example="USD"),
            "close_date": string("Expected or actual close day, YYYY-MM-DD.", fmt="date"),
            "owner": string("Sales rep who owns the deal."),
            "campaign_id": string(
                "Marketing campaign that sourced it, if any.", example="CMP-0001", nullable=True
            ),
            "created_at": string("When it was opened, ISO 8601 UTC.", fmt="date-time"),
            "stage_changed_at": string(
                "When it entered its current stage, ISO 8601 UTC.", fmt="date-time"
            ),
        }
    ),
    "PipelineStage": obj(
        {
            "stage": string("Open stage.", enum=OPEN_STAGES),
            "opportunities": integer("Open opportunities in the stage."),
            "amount": money("Their total value"),
            "average_days_in_stage": number("Mean days since they entered the stage."),
            "max_days_in_stage": integer("The longest any has sat in the stage."),
            "as_of": string("When the report was computed, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "WonMonth": obj(
        {
            "month": string("Month the deals closed, YYYY-MM.", example="2026-03"),
            "campaign_id": string(
                "Campaign that sourced them (null: none).", example="CMP-0001", nullable=True
            ),
            "deals": integer("Deals won."),
            "amount": money("Their total value"),
            "as_of": string("When the report was computed, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "WonReport": list_of("WonMonth"),
    "OpportunityList": list_of("Opportunity"),
    "PipelineReport": list_of("PipelineStage"),
}

OPENAPI = document(
    SYSTEM,
    "The CRM's sales pipeline: opportunities (by contact email or all) and a report by stage.",
    {
        "/opportunities": {
            "get": get_operation(
                "getOpportunities",
                "Every opportunity (scope=all) or those of contacts by email, newest first",
                [
                    scope_parameter(),
                    batch_parameter(
                        "emails", "Contact emails.", "maria.lopez@example.com", required=False
                    ),
                ],
                "OpportunityList",
            )
        },
        "/stats/pipeline": {
            "get": get_operation(
                "getPipelineReport",
                "Open opportunities per stage, with their value and ageing",
                [scope_parameter()],
                "PipelineReport",
            )
        },
        "/stats/won": {
            "get": get_operation(
                "getWonReport",
                "Won deals per month closed and sourcing campaign",
                [scope_parameter()],
                "WonReport",
            )
        },
    },
    SCHEMAS,
)
