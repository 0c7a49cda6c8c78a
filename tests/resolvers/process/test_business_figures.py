"""The CMO's and CEO's aggregates as plain functions: what a dashboard reader would notice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from resolvers.process.campaigns import (
    campaign_performance,
    channel_of,
    lead_generation,
    lead_generation_from_leads,
    lead_rows,
    won_rows,
)
from resolvers.process.months import month_window
from resolvers.process.nps import nps_by_month, nps_from_responses
from resolvers.process.pipeline import created_per_month, large_deals, pipeline_health, stage_of
from resolvers.process.revenue import monthly_revenue
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

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
AS_OF = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_month_window_ends_with_the_current_month_and_crosses_years() -> None:
    assert month_window(NOW, 3) == ["2026-10", "2026-11", "2026-12"]
    assert month_window(datetime(2026, 2, 1, tzinfo=UTC), 3) == ["2025-12", "2026-01", "2026-02"]
    assert len(month_window(NOW, 500)) == 36


def test_hand_typed_channels_count_as_one_channel() -> None:
    assert {channel_of(t) for t in ("Paid Search", "ppc", "paid_search", " PPC ")} == {
        "paid_search"
    }
    assert channel_of("Carrier pigeon") == "carrier pigeon"  # unknown: kept, not dropped
    assert channel_of(None) == "unknown"
    rows = [
        LeadMonth("m", "2026-11", "Paid Search", 3, AS_OF, 1),
        LeadMonth("m", "2026-11", "ppc", 2, AS_OF, 2),
        LeadMonth("m", "2025-01", "email", 9, AS_OF, 9),  # outside the window
    ]
    (row,) = lead_generation(rows, month_window(NOW, 12))
    assert (row.month, row.channel, row.leads, row.converted) == ("2026-11", "paid_search", 5, 3)


def test_counting_leads_gives_what_the_leads_report_gives() -> None:
    leads = [
        Lead("m", "L1", at("2026-11-03"), "a@x.org", "CMP-1", "Email", "converted"),
        Lead("m", "L2", at("2026-11-04"), "b@x.org", "CMP-1", "e-mail", "working"),
        Lead("m", "L3", at("2026-12-01"), "c@x.org", "CMP-2", "ppc", "new"),
    ]
    report = [
        LeadMonth("m", "2026-11", "email", 2, AS_OF, 1),
        LeadMonth("m", "2026-12", "paid_search", 1, AS_OF, 0),
    ]
    window = month_window(NOW, 2)
    assert lead_generation_from_leads(leads, window) == lead_generation(report, window)


def test_campaign_performance_counts_costs_people_and_won_deals() -> None:
    window = month_window(NOW, 12)
    campaigns = [
        Campaign("m", "CMP-1", "email", date(2026, 3, 1), "Spring"),
        Campaign("m", "CMP-2", "Paid Search", date(2026, 5, 1), "Search"),
        Campaign("m", "CMP-3", "social", date(2020, 1, 1), "Long gone"),
    ]
    costs = [
        CampaignCost("m", "C1", "CMP-1", "2026-03", 300.0),
        CampaignCost("m", "C2", "cmp-1", "2026-04", 200.0),  # typed by hand: same campaign
        CampaignCost("m", "C3", "CMP-2", "2026-05", 1000.0),
        CampaignCost("m", "C4", "CMP-3", "2020-01", 999.0),  # outside the window
    ]
    leads = [
        Lead("m", "L1", at("2026-03-02"), "Ann@x.org", "CMP-1", "email", "converted"),
        Lead("m", "L2", at("2026-03-09"), "ann@x.org", "CMP-1", "email", "converted"),
        Lead("m", "L3", at("2026-03-10"), "bo@x.org", "CMP-1", "email", "converted"),
        Lead("m", "L4", at("2026-05-02"), "cy@x.org", "CMP-2", "ppc", "disqualified"),
    ]
    deals = [
        Opportunity("o", "D1", "Closed Won", 5000.0, at("2026-03-20"), campaign_id="CMP-1",
                    close_date=date(2026, 4, 2)),
        Opportunity("o", "D2", "CLOSED-LOST", 7000.0, at("2026-03-20"), campaign_id="CMP-1",
                    close_date=date(2026, 4, 2)),
        Opportunity("o", "D3", "proposal", 9000.0, at("2026-03-20"), campaign_id="CMP-1",
                    close_date=date(2026, 12, 30)),
    ]  # fmt: skip
    first, second = campaign_performance(
        campaigns, costs, lead_rows(leads), won_rows(deals), window
    )
    assert (second.id, second.cost, second.leads, second.conversions) == ("CMP-1", 500.0, 3, 3)
    assert second.revenue_attributed == 5000.0  # won only
    assert second.cost_per_acquisition == 166.67 and second.return_on_spend == 10.0
    # The leads report's rows (per month and campaign) give the same figures.
    report = [
        LeadMonth("m", "2026-03", "email", 3, AS_OF, 3, "CMP-1"),
        LeadMonth("m", "2026-05", "Paid Search", 1, AS_OF, 0, "cmp-2"),
    ]
    won = [WonMonth("o", "2026-04", 5000.0, AS_OF, 1, "cmp-1")]
    assert campaign_performance(campaigns, costs, report, won, window) == [first, second]
    assert (first.id, first.channel, first.conversions) == ("CMP-2", "paid_search", 0)
    assert first.cost_per_acquisition is None  # no conversion: no CPA, not a division by zero


def test_pipeline_health_merges_spellings_and_weights_ageing() -> None:
    rows = [
        PipelineStage("a", "Proposal", 2, 100.0, AS_OF, 10.0, 15),
        PipelineStage("b", "proposal", 6, 300.0, AS_OF, 30.0, 90),
        PipelineStage("a", "closed_won", 4, 999.0, AS_OF, 1.0, 1),  # closed: not pipeline
    ]
    stages = pipeline_health(rows)
    assert [s.stage for s in stages] == ["prospecting", "qualification", "proposal", "negotiation"]
    proposal = stages[2]
    assert (proposal.opportunities, proposal.amount) == (8, 400.0)
    assert proposal.average_days_in_stage == 25.0 and proposal.max_days_in_stage == 90
    assert stages[0].opportunities == 0 and stages[0].average_days_in_stage == 0.0
    assert stage_of(" CLOSED-WON ") == "closed_won"


def test_large_deals_are_open_at_or_over_the_threshold_largest_first() -> None:
    today = date(2026, 12, 2)
    deals = [
        Opportunity("o", "D1", "negotiation", 80_000.0, at("2026-01-01"),
                    stage_changed_at=at("2026-11-02")),
        Opportunity("o", "D2", "Closed Won", 900_000.0, at("2026-01-01")),
        Opportunity("o", "D3", "Proposal", 50_000.0, at("2026-11-30")),
        Opportunity("o", "D4", "proposal", 49_999.99, at("2026-11-30")),
    ]  # fmt: skip
    found = large_deals(deals, 50_000.0, today, limit=10)
    assert [d.id for d in found] == ["D1", "D3"]
    assert found[0].days_in_stage == 30 and found[1].days_in_stage == 2
    assert [d.id for d in large_deals(deals, 50_000.0, today, limit=1)] == ["D1"]


def test_revenue_growth_skips_the_running_month_and_fills_empty_months() -> None:
    window = month_window(NOW, 4)  # 2026-09 .. 2026-12
    rows = [
        RevenueMonth("o", "2026-09", 100.0, AS_OF, 2),
        RevenueMonth("o", "2026-11", 150.0, AS_OF, 3),
        RevenueMonth("p", "2026-11", 50.0, AS_OF, 1),  # a second order system adds up
        RevenueMonth("o", "2026-12", 10.0, AS_OF, 1),
    ]
    figures = monthly_revenue(rows, window)
    assert [m.net for m in figures.months] == [100.0, 0.0, 200.0, 10.0]
    assert [m.growth_pct for m in figures.months] == [None, -100.0, None, None]
    assert figures.months[-1].partial and not figures.months[-2].partial
    assert figures.growth_pct is None  # the base month (October) sold nothing
    assert figures.net_total == 310.0


def test_nps_counted_from_answers_equals_the_survey_report() -> None:
    window = month_window(NOW, 6)
    scores = {"2026-07": [10, 9, 3], "2026-08": [8], "2026-10": [9, 9, 9, 0], "2026-12": [6, 10]}
    answers = [
        SurveyResponse("s", f"R{i}", at(f"{month}-15"), score)
        for month, values in scores.items()
        for i, score in enumerate(values)
    ]
    answers.append(SurveyResponse("s", "never", at("2026-12-01"), None))
    answers.append(SurveyResponse("s", "bad-import", at("2026-12-01"), 11))
    report = [
        NpsMonth("s", month, len(v), sum(s >= 9 for s in v), sum(s <= 6 for s in v), AS_OF)
        for month, v in scores.items()
    ]
    counted = nps_from_responses(answers, window)
    assert counted == nps_by_month(report, window)
    assert [m.nps for m in counted.months] == [33.3, 0.0, None, 50.0, None, 0.0]
    assert counted.score == 30.0  # 6 promoters, 3 detractors of 10 scored answers
    assert counted.trend == 8.3  # Oct-Dec pooled (33.3) against Jul-Sep pooled (25.0)


def test_created_per_month_counts_deals_opened_and_leads_in() -> None:
    window = month_window(NOW, 2)
    deals = [
        Opportunity("o", "D1", "proposal", 1.0, at("2026-11-03")),
        Opportunity("o", "D2", "proposal", 1.0, at("2026-12-01")),
        Opportunity("o", "D3", "proposal", 1.0, at("2025-12-01")),
    ]
    leads = [
        LeadMonth("m", "2026-11", "email", 4, AS_OF),
        LeadMonth("m", "2026-11", "ppc", 1, AS_OF),
    ]
    assert [
        (c.month, c.opportunities, c.leads) for c in created_per_month(deals, leads, window)
    ] == [
        ("2026-11", 1, 5),
        ("2026-12", 1, 0),
    ]
