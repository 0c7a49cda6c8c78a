"""The demo marketing automation: campaigns, their costs, leads and touches, and a leads report."""

from __future__ import annotations

from collections import Counter
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
    obj,
    path_parameter,
    string,
)
from sources.demo.params import required_batch
from sources.demo.reports import as_of_now, month_of, scope_parameter, wants_everything
from sources.demo.service import DemoService, Knobs
from sources.demo.world.marketing import CHANNELS

JsonRecord = dict[str, Any]
SYSTEM = "marketing"


class MarketingAutomation:
    """Campaigns, cost lines, leads (newest first) and touches, indexed the ways they are asked."""

    def __init__(self, world: DemoWorld) -> None:
        self.campaigns = world.campaigns
        self.campaign_channel = {c["campaign_id"]: c["channel"] for c in world.campaigns}
        self.costs = world.campaign_costs
        self.leads = sorted(world.leads, key=lambda lead: lead["created_at"], reverse=True)
        self.leads_by_email: dict[str, list[JsonRecord]] = {}
        for lead in self.leads:
            self.leads_by_email.setdefault(lead["email"].lower(), []).append(lead)
        self.touches_by_lead: dict[str, list[JsonRecord]] = {}
        for touch in world.touches:
            self.touches_by_lead.setdefault(touch["lead_id"], []).append(touch)

    async def campaign_list(self, request: web.Request) -> web.Response:
        if wants_everything(request, ("ids",)):
            return web.json_response({"data": self.campaigns})
        ids = set(required_batch(request, "ids"))
        return web.json_response({"data": [c for c in self.campaigns if c["campaign_id"] in ids]})

    async def cost_list(self, request: web.Request) -> web.Response:
        if wants_everything(request, ("campaign_ids",)):
            return web.json_response({"data": self.costs})
        ids = {i.upper() for i in required_batch(request, "campaign_ids")}
        found = [c for c in self.costs if c["campaign_id"].upper() in ids]
        return web.json_response({"data": found})

    async def lead_list(self, request: web.Request) -> web.Response:
        if wants_everything(request, ("emails",)):
            return web.json_response({"data": self.leads})
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "emails"))
        found = [lead for email in emails for lead in self.leads_by_email.get(email, [])]
        return web.json_response({"data": found})

    async def lead_touches(self, request: web.Request) -> web.Response:
        return web.json_response({"data": self.touches_by_lead.get(request.match_info["id"], [])})

    async def touch_list(self, request: web.Request) -> web.Response:
        ids = dict.fromkeys(required_batch(request, "lead_ids"))
        found = [t for lead in ids for t in self.touches_by_lead.get(lead, [])]
        return web.json_response({"data": found})

    async def leads_report(self, request: web.Request) -> web.Response:
        """Leads and converted leads per month, campaign and its channel."""
        leads: Counter[tuple[str, str, str]] = Counter()
        converted: Counter[tuple[str, str, str]] = Counter()
        for lead in self.leads:
            campaign = lead["campaign_id"]
            key = (month_of(lead["created_at"]), campaign, self.campaign_channel[campaign])
            leads[key] += 1
            converted[key] += lead["status"] == "converted"
        as_of = as_of_now()
        rows = [
            {
                "month": month,
                "campaign_id": campaign,
                "channel": channel,
                "leads": n,
                "converted": converted[(month, campaign, channel)],
                "as_of": as_of,
            }
            for (month, campaign, channel), n in sorted(leads.items())
        ]
        return web.json_response({"data": rows})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    system = MarketingAutomation(world)
    routes = [
        web.get("/campaigns", system.campaign_list),
        web.get("/campaign-costs", system.cost_list),
        web.get("/leads", system.lead_list),
        web.get("/leads/{id}/touches", system.lead_touches),
        web.get("/touches", system.touch_list),
        web.get("/stats/leads", system.leads_report),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


def _channel(description: str) -> JsonRecord:
    return string(description, enum=CHANNELS)


SCHEMAS = {
    "Campaign": obj(
        {
            "campaign_id": string("Campaign id.", example="CMP-0001"),
            "name": string("Campaign name."),
            "channel": _channel("The channel the campaign runs on."),
            "started_on": string("First day, YYYY-MM-DD.", fmt="date"),
            "ended_on": string(
                "Last day, YYYY-MM-DD; null while running.", fmt="date", nullable=True
            ),
            "status": string("Campaign status.", enum=("running", "finished")),
            "budget": money("Planned spend"),
        }
    ),
    "CampaignCost": obj(
        {
            "cost_id": string("Cost line id.", example="CO-00001"),
            "campaign_id": string("Campaign id as typed by finance (case varies)."),
            "month": string("Month the money was spent, YYYY-MM.", example="2026-03"),
            "amount": money("Spend in the month"),
            "currency": string("ISO currency code.", example="USD"),
        }
    ),
    "Lead": obj(
        {
            "lead_id": string("Lead id.", example="LD-000123"),
            "email": string("Email the lead gave (case varies).", fmt="email"),
            "campaign_id": string("Campaign that brought the lead.", example="CMP-0001"),
            "channel": string("Channel as imported (free text: 'Paid Search', 'ppc', ...)."),
            "created_at": string("When the lead came in, ISO 8601 UTC.", fmt="date-time"),
            "status": string(
                "Lead status.",
                enum=("new", "working", "nurturing", "disqualified", "converted"),
            ),
            "converted_at": string(
                "When the lead became a customer, ISO 8601 UTC.", fmt="date-time", nullable=True
            ),
        }
    ),
    "Touch": obj(
        {
            "touch_id": string("Touch id.", example="T-0000001"),
            "lead_id": string("Lead touched.", example="LD-000123"),
            "campaign_id": string("Campaign of the touch.", example="CMP-0001"),
            "kind": string(
                "What happened.", enum=("email_open", "click", "form_fill", "webinar", "call")
            ),
            "at": string("When, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "LeadReportRow": obj(
        {
            "month": string("Month the leads came in, YYYY-MM.", example="2026-03"),
            "campaign_id": string("Campaign that brought them.", example="CMP-0001"),
            "channel": _channel("The campaign's channel."),
            "leads": integer("Leads that came in."),
            "converted": integer("Of those, leads converted to customers so far."),
            "as_of": string("When the report was computed, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "CampaignList": list_of("Campaign"),
    "CampaignCostList": list_of("CampaignCost"),
    "LeadList": list_of("Lead"),
    "TouchList": list_of("Touch"),
    "LeadReport": list_of("LeadReportRow"),
}

OPENAPI = document(
    SYSTEM,
    "Marketing automation: campaigns, monthly costs, leads by email, touches, a leads report.",
    {
        "/campaigns": {
            "get": get_operation(
                "getCampaigns",
                "Every campaign (scope=all) or campaigns by id",
                [
                    scope_parameter(),
                    batch_parameter("ids", "Campaign ids.", "CMP-0001", required=False),
                ],
                "CampaignList",
            )
        },
        "/campaign-costs": {
            "get": get_operation(
                "getCampaignCosts",
                "Every monthly cost line (scope=all) or those of some campaigns",
                [
                    scope_parameter(),
                    batch_parameter("campaign_ids", "Campaign ids.", "CMP-0001", required=False),
                ],
                "CampaignCostList",
            )
        },
        "/leads": {
            "get": get_operation(
                "getLeads",
                "Every lead (scope=all) or leads by email (case-insensitive), newest first",
                [
                    scope_parameter(),
                    batch_parameter(
                        "emails", "Lead emails.", "maria.lopez@example.com", required=False
                    ),
                ],
                "LeadList",
            )
        },
        "/leads/{id}/touches": {
            "get": get_operation(
                "getLeadTouches",
                "Touches on one lead",
                [path_parameter("id", "Lead id.", "LD-000123")],
                "TouchList",
            )
        },
        "/touches": {
            "get": get_operation(
                "getTouchesByLeadIds",
                "Touches on a batch of leads",
                [batch_parameter("lead_ids", "Lead ids.", "LD-000123", required=True)],
                "TouchList",
            )
        },
        "/stats/leads": {
            "get": get_operation(
                "getLeadReport",
                "Leads and conversions per month and campaign (with its channel)",
                [scope_parameter()],
                "LeadReport",
            )
        },
    },
    SCHEMAS,
)
