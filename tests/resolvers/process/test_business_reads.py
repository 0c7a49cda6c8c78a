"""What the CMO's and CEO's figures read: a system's own report when one serves it, else records.

The process functions receive the request's loaders (stand-ins here, counting
what each was asked); a dashboard reader notices the figures and their as-of,
and a source owner notices which of its endpoints were asked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

import pytest

from resolvers.process.campaigns import (
    CampaignResult,
    LeadsInMonth,
    campaign_performance_of,
    lead_generation_of,
)
from resolvers.process.nps import nps_of
from resolvers.process.pipeline import created_of, large_deals_of, pipeline_health_of
from resolvers.process.revenue import monthly_revenue_of
from resolvers.process.segment_figures import PopulationUnavailable, segment_figures_of
from resolvers.process.segments import DEFAULT_RULES
from resolvers.system.business_records import (
    Campaign,
    CampaignCost,
    Lead,
    LeadMonth,
    NpsMonth,
    Opportunity,
    PipelineStage,
    RevenueMonth,
    SurveyResponse,
    WonMonth,
)
from resolvers.system.by_customer import RfmCutPointsLoader
from resolvers.system.records import RfmCutPoints
from sources.errors import SourceUnavailable
from tests.fake_business_loaders import READ_AT, StandInLoader, business, reads
from tests.resolvers.process.population_answers import population_answer

MONTHS = ("2026-10", "2026-11", "2026-12")
TODAY = date(2026, 12, 2)
REPORT_AS_OF = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


LEADS = [
    Lead("crm", "L1", at("2026-11-03"), campaign_id="C-1", channel="PPC", status="converted"),
    Lead("crm", "L2", at("2026-11-20"), campaign_id="c-1 ", channel="paid search"),
    Lead("crm", "L3", at("2026-12-01"), campaign_id="C-2", channel="Newsletter"),
    Lead("crm", "L4", at("2026-06-01"), campaign_id="C-2", channel="email"),  # before the window
]
LEAD_REPORT = [
    LeadMonth("marketing", "2026-11", "PPC", 1, REPORT_AS_OF, 1, "C-1"),
    LeadMonth("marketing", "2026-11", "paid search", 1, REPORT_AS_OF, 0, "c-1 "),
    LeadMonth("marketing", "2026-12", "Newsletter", 1, REPORT_AS_OF, 0, "C-2"),
]
DEALS = [
    Opportunity(
        "crm", "O1", "Closed Won", 900.0, at("2026-10-01"), close_date=date(2026, 11, 15),
        campaign_id="C-1",
    ),
    Opportunity(
        "crm", "O2", "negotiation", 70_000.0, at("2026-11-02"),
        stage_changed_at=at("2026-11-22"),
    ),
    Opportunity("crm", "O3", "Proposal", 55_000.0, at("2026-12-01")),
    Opportunity("crm", "O4", "closed-lost", 80_000.0, at("2026-10-05")),
]  # fmt: skip
WON_REPORT = [WonMonth("opportunities", "2026-11", 900.0, REPORT_AS_OF, 1, "C-1")]


async def test_lead_generation_reads_the_leads_report_when_a_system_serves_one() -> None:
    loaders = business(
        leads_by_month=StandInLoader(LEAD_REPORT, as_of=REPORT_AS_OF), leads=StandInLoader(LEADS)
    )
    figure = await lead_generation_of(loaders, MONTHS)
    assert figure.value == [
        LeadsInMonth("2026-11", "paid_search", 2, 1),
        LeadsInMonth("2026-12", "email", 1, 0),
    ]
    assert figure.as_of == REPORT_AS_OF
    assert reads(loaders) == {"leads_by_month": 1}


async def test_without_a_leads_report_the_leads_are_counted_to_the_same_figures() -> None:
    loaders = business(leads=StandInLoader(LEADS))
    figure = await lead_generation_of(loaders, MONTHS)
    assert figure.value == [
        LeadsInMonth("2026-11", "paid_search", 2, 1),
        LeadsInMonth("2026-12", "email", 1, 0),
    ]
    assert figure.as_of == READ_AT
    assert reads(loaders) == {"leads": 1}


CAMPAIGNS = [Campaign("marketing", "C-1", "ppc", date(2026, 9, 1), name="Autumn search")]
COSTS = [CampaignCost("marketing", "K1", "c-1", "2026-11", 450.0)]
AUTUMN_SEARCH = CampaignResult(
    "C-1", "Autumn search", "paid_search", 450.0, 2, 1, 900.0, 450.0, 2.0
)


async def test_campaigns_read_both_reports_when_served_and_are_as_old_as_the_oldest() -> None:
    loaders = business(
        campaigns=StandInLoader(CAMPAIGNS),
        campaign_costs=StandInLoader(COSTS),
        leads_by_month=StandInLoader(LEAD_REPORT, as_of=REPORT_AS_OF),
        won_by_month=StandInLoader(WON_REPORT, as_of=REPORT_AS_OF),
        leads=StandInLoader(LEADS),
        opportunities=StandInLoader(DEALS),
    )
    figure = await campaign_performance_of(loaders, MONTHS)
    assert figure.value == [AUTUMN_SEARCH]
    assert figure.as_of == REPORT_AS_OF
    assert reads(loaders) == {
        "campaigns": 1,
        "campaign_costs": 1,
        "leads_by_month": 1,
        "won_by_month": 1,
    }


async def test_campaigns_without_reports_count_the_leads_and_the_won_deals_alike() -> None:
    loaders = business(
        campaigns=StandInLoader(CAMPAIGNS),
        campaign_costs=StandInLoader(COSTS),
        leads=StandInLoader(LEADS),
        opportunities=StandInLoader(DEALS),
    )
    figure = await campaign_performance_of(loaders, MONTHS)
    assert figure.value == [AUTUMN_SEARCH]
    assert figure.as_of == READ_AT
    assert reads(loaders) == {"campaigns": 1, "campaign_costs": 1, "leads": 1, "opportunities": 1}


async def test_pipeline_health_reads_the_stage_report_when_served_else_ages_the_deals() -> None:
    report = [PipelineStage("opportunities", "Negotiation", 1, 70_000.0, REPORT_AS_OF, 10.0, 10)]
    served = business(
        pipeline_by_stage=StandInLoader(report, as_of=REPORT_AS_OF),
        opportunities=StandInLoader(DEALS),
    )
    figure = await pipeline_health_of(served, TODAY)
    negotiation = {stage.stage: stage for stage in figure.value}["negotiation"]
    assert (negotiation.opportunities, negotiation.max_days_in_stage) == (1, 10)
    assert figure.as_of == REPORT_AS_OF and reads(served) == {"pipeline_by_stage": 1}

    counted = business(opportunities=StandInLoader(DEALS))
    figure = await pipeline_health_of(counted, TODAY)
    by_stage = {stage.stage: stage for stage in figure.value}
    negotiation = by_stage["negotiation"]  # in negotiation since 22 November
    assert (negotiation.opportunities, negotiation.max_days_in_stage) == (1, 10)
    assert (by_stage["proposal"].amount, by_stage["proposal"].max_days_in_stage) == (55_000.0, 1)
    assert figure.as_of == READ_AT and reads(counted) == {"opportunities": 1}


async def test_nps_reads_the_survey_report_when_served_else_scores_the_answers() -> None:
    report = [NpsMonth("surveys", "2026-11", 4, 2, 1, REPORT_AS_OF, 1)]
    served = business(
        nps_by_month=StandInLoader(report, as_of=REPORT_AS_OF),
        survey_responses=StandInLoader([]),
    )
    figure = await nps_of(served, MONTHS)
    assert figure.value.score == 25.0 and figure.as_of == REPORT_AS_OF
    assert reads(served) == {"nps_by_month": 1}

    answers = [
        SurveyResponse("surveys", f"S{score}", at("2026-11-10"), score) for score in (10, 9, 7, 3)
    ] + [SurveyResponse("surveys", "never", at("2026-11-11"), None)]
    counted = business(survey_responses=StandInLoader(answers))
    figure = await nps_of(counted, MONTHS)
    assert figure.value.score == 25.0 and figure.as_of == READ_AT
    assert [month.responses for month in figure.value.months] == [0, 4, 0]
    assert reads(counted) == {"survey_responses": 1}


async def test_revenue_large_deals_and_created_read_what_they_count() -> None:
    revenue = [RevenueMonth("orders", "2026-11", 1000.0, REPORT_AS_OF, 3)]
    loaders = business(
        revenue_by_month=StandInLoader(revenue, as_of=REPORT_AS_OF),
        opportunities=StandInLoader(DEALS),
        leads_by_month=StandInLoader(LEAD_REPORT, as_of=REPORT_AS_OF),
    )
    figure = await monthly_revenue_of(loaders, MONTHS)
    assert figure.value.net_total == 1000.0 and figure.as_of == REPORT_AS_OF

    deals = await large_deals_of(loaders, 50_000.0, TODAY, 5)
    assert [deal.id for deal in deals.value] == ["O2", "O3"]  # open, largest first; O4 lost
    assert deals.as_of == READ_AT

    created = await created_of(loaders, MONTHS)
    assert [(m.month, m.opportunities, m.leads) for m in created.value] == [
        ("2026-10", 2, 0),
        ("2026-11", 1, 2),
        ("2026-12", 1, 1),
    ]
    assert created.as_of == REPORT_AS_OF  # the older of the deals and the leads report
    assert reads(loaders) == {"revenue_by_month": 1, "opportunities": 2, "leads_by_month": 1}


async def test_a_source_down_costs_its_figure_with_its_own_error() -> None:
    report = StandInLoader(LEAD_REPORT)
    report.failure = SourceUnavailable("marketing", "connection refused", entity="leads_by_month")
    loaders = business(leads_by_month=report, leads=StandInLoader(LEADS))
    with pytest.raises(SourceUnavailable) as raised:
        await lead_generation_of(loaders, MONTHS)
    assert raised.value.source == "marketing"
    assert reads(loaders) == {"leads_by_month": 1}  # the records are not read instead


class PopulationAnswer:
    def __init__(self, record: RfmCutPoints | None) -> None:
        self.record = record

    async def load(self) -> RfmCutPoints | None:
        return self.record


async def test_segments_are_counted_from_the_population_or_say_there_is_none() -> None:
    rows = [(5.0, 20.0, 5000.0)] * 4 + [(300.0, 1.0, 10.0)] * 6
    # its own source name: snapshots are kept per process
    record = population_answer("segment-figures-orders", REPORT_AS_OF, rows)
    loader = cast(RfmCutPointsLoader, PopulationAnswer(record))
    figure = await segment_figures_of(loader, DEFAULT_RULES, "total")
    assert figure.value.customers == 10 and figure.value.compare_days == 90
    assert sum(size.customers for size in figure.value.sizes) == 10
    assert figure.as_of == REPORT_AS_OF

    without_values = RfmCutPoints("segment-figures-orders", REPORT_AS_OF, (), (), ())
    for answer in (None, without_values):
        with pytest.raises(PopulationUnavailable) as raised:
            await segment_figures_of(
                cast(RfmCutPointsLoader, PopulationAnswer(answer)), (), "total"
            )
        assert raised.value.extensions == {"code": "POPULATION_UNAVAILABLE"}
