"""The floor's hand-written shaping: raw demo-source JSON in, the gateway's answer JSON out.

The floor must return the same data as the gateway for each scenario, so it
reuses the pure domain rules (health light with churn risk and profitability,
RFM against the order system's population, segment, next best offer, weather
words) on domain records built by hand here, with the gateway's default
intelligence policy: what is left out is exactly the gateway's generic
machinery (GraphQL, config-driven mapping, dataloaders).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from resolvers.process.churn import churn_risk
from resolvers.process.health import Signals, health_light, is_open, is_unpaid
from resolvers.process.offers import OfferChoice
from resolvers.process.policy import DEFAULT_POLICY
from resolvers.process.profitability import profitability
from resolvers.process.rfm import rfm_scores
from resolvers.process.segments import Segment, segment_for
from resolvers.process.weather import describe_weather
from resolvers.system.records import (
    CustomerProfile,
    Invoice,
    Order,
    OrderLine,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)

Json = dict[str, Any]
RECENT_ORDERS = 5
RECENT_MENTION_DAYS = 30


def _dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value[:10])


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def profile(raw: Json) -> CustomerProfile:
    return CustomerProfile(
        source="crm",
        id=raw["id"],
        first_name=raw.get("first_name"),
        last_name=raw.get("last_name"),
        email=raw.get("email"),
        phone=raw.get("phone"),
        street=raw.get("street"),
        city=raw.get("city"),
        state=raw.get("state"),
        postal_code=raw.get("postal_code"),
        country=raw.get("country"),
        latitude=raw.get("latitude"),
        longitude=raw.get("longitude"),
        twitter_handle=raw.get("twitter_handle"),
        created_at=_dt(raw.get("created_at")),
        marketing_consent=raw.get("marketing_consent"),
    )


def primary(profiles: list[CustomerProfile]) -> CustomerProfile:
    """The oldest record is the person, as the gateway's identity resolution decides."""
    return sorted(profiles, key=lambda p: (p.created_at is None, p.created_at or 0, p.id))[0]


def _lines(raws: list[Json]) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(
            source="orders",
            sku=r.get("sku"),
            quantity=int(r.get("quantity", 1)),
            unit_price=float(r.get("unit_price", 0.0)),
        )
        for r in raws
    )


def orders(raws: list[Json], *, with_lines: bool = False) -> list[Order]:
    """Orders newest first; lines are built only when the scenario selects them."""
    found = [
        Order(
            source="orders",
            id=r["order_id"],
            placed_at=_dt(r["placed_at"]),  # type: ignore[arg-type]
            total=float(r["total"]),
            status=r.get("status"),
            currency=r.get("currency"),
            cost_of_goods=_f(r.get("cost_of_goods")),
            shipping_cost=_f(r.get("shipping_cost")),
            discount=_f(r.get("discount")),
            refunded=_f(r.get("refunded")),
            lines=_lines(r.get("lines") or []) if with_lines else (),
        )
        for r in raws
    ]
    return sorted(found, key=lambda o: o.placed_at, reverse=True)


def invoices(raws: list[Json]) -> list[Invoice]:
    found = [
        Invoice(
            source="billing",
            id=r["invoice_no"],
            amount=float(r["amount"]),
            issued_on=_day(r.get("issued_on")),
            due_on=_day(r.get("due_on")),
            amount_paid=float(r.get("amount_paid") or 0.0),
            status=r.get("status"),
            currency=r.get("currency"),
            kind=r.get("kind"),
        )
        for r in raws
    ]
    return sorted(found, key=lambda i: (i.issued_on is not None, i.issued_on), reverse=True)


def tickets(raws: list[Json]) -> list[Ticket]:
    found = [
        Ticket(
            source="support",
            id=str(r["ticket_id"]),
            status=r["status"],
            subject=r.get("subject"),
            priority=r.get("priority"),
            channel=r.get("channel"),
            created_at=_dt(r.get("created_at")),
        )
        for r in raws
    ]
    return sorted(found, key=lambda t: (t.created_at is not None, t.created_at), reverse=True)


def visits(raws: list[Json]) -> list[WebVisit]:
    found = []
    for r in raws:
        cart = r.get("cart") or {}
        found.append(
            WebVisit(
                source="web",
                id=r["session_id"],
                started_at=_dt(r["started_at"]),  # type: ignore[arg-type]
                pages_viewed=r.get("pages_viewed"),
                landing_page=r.get("landing_page"),
                cart_status=cart.get("status"),
                cart_value=_f(cart.get("value")),
                cart_items=cart.get("items"),
            )
        )
    return sorted(found, key=lambda v: v.started_at, reverse=True)


def mentions(raws: list[Json]) -> list[SocialMention]:
    found = [
        SocialMention(
            source="social",
            id=r["mention_id"],
            posted_at=_dt(r["posted_at"]),  # type: ignore[arg-type]
            text=r.get("text"),
            sentiment_score=_f(r.get("sentiment_score")),
            sentiment=r.get("sentiment"),
            network=r.get("network"),
        )
        for r in raws
    ]
    return sorted(found, key=lambda m: m.posted_at, reverse=True)


POPULATION_COLUMNS = (
    "recency_days_values",
    "frequency_values",
    "monetary_values",
    "tenure_days_values",
    "prior_recency_days_values",
    "prior_frequency_values",
    "prior_monetary_values",
    "prior_tenure_days_values",
)
"""The population's value columns of ``/stats/rfm``, as the gateway maps them (sources.yaml)."""


def cut_points(raw: Json) -> RfmCutPoints:
    columns = {name: tuple(float(v) for v in raw.get(name) or ()) for name in POPULATION_COLUMNS}
    return RfmCutPoints(
        source="orders",
        as_of=_dt(raw["as_of"]),  # type: ignore[arg-type]
        recency_days=tuple(float(v) for v in raw["recency_days"]),
        frequency=tuple(float(v) for v in raw["frequency"]),
        monetary=tuple(float(v) for v in raw["monetary"]),
        customers=raw.get("customers"),
        window_days=raw.get("window_days"),
        compare_days=raw.get("compare_days"),
        **columns,
    )


def segment(found: dict[str, Any], cuts: RfmCutPoints | None, now: datetime) -> Segment:
    """The customer's segment: RFM against the population, the policy's rules."""
    policy = DEFAULT_POLICY
    return segment_for(
        rfm_scores(found["orders"], cuts, now, policy.rfm_monetary), policy.segment_rules
    )


def _name(p: CustomerProfile) -> str:
    return " ".join(part for part in (p.first_name, p.last_name) if part) or p.id


def agent_view(
    person: CustomerProfile,
    found: dict[str, Any],
    weather: Json | None,
    kind: Segment,
    offer: OfferChoice | None,
    now: datetime,
) -> Json:
    """``{"agentView": ...}`` exactly as ``queries/agent.graphql`` selects it."""
    o: list[Order] = found["orders"]
    inv: list[Invoice] = found["invoices"]
    tix: list[Ticket] = found["tickets"]
    vis: list[WebVisit] = found["visits"]
    men: list[SocialMention] = found["mentions"]
    policy = DEFAULT_POLICY
    signals = Signals(churn_risk(o, tix, men, now, policy), profitability(o, tix, now, policy))
    health = health_light(tix, inv, men, vis, now, signals)
    current = (weather or {}).get("current") or {}
    cutoff = now - timedelta(days=RECENT_MENTION_DAYS)
    return {
        "agentView": {
            "customer": {
                "id": person.id,
                "name": _name(person),
                "email": person.email,
                "phone": person.phone,
                "address": {
                    "street": person.street,
                    "city": person.city,
                    "state": person.state,
                    "postalCode": person.postal_code,
                    "country": person.country,
                },
                "segment": {"name": kind.name},
                "weather": None
                if weather is None
                else {
                    "temperatureC": _f(current.get("temperature_2m")),
                    "description": describe_weather(current.get("weather_code")),
                },
            },
            "health": {
                "light": health.light.value,
                "reasons": [
                    {"code": r.code, "light": r.light.value, "message": r.message}
                    for r in health.reasons
                ],
            },
            "nextBestOffer": None
            if offer is None
            else {
                "offerId": offer.offer.id,
                "name": offer.offer.name,
                "marketing": offer.offer.marketing,
                "expectedValue": offer.expected_value,
                "reason": offer.reason,
            },
            "openTickets": [
                {
                    "id": t.id,
                    "subject": t.subject,
                    "status": t.status,
                    "priority": t.priority,
                    "channel": t.channel,
                    "createdAt": t.created_at,
                }
                for t in tix
                if is_open(t)
            ],
            "recentOrders": [
                {
                    "id": x.id,
                    "placedAt": x.placed_at,
                    "status": x.status,
                    "total": x.total,
                    "currency": x.currency,
                }
                for x in o[:RECENT_ORDERS]
            ],
            "unpaidInvoices": [
                {
                    "id": i.id,
                    "issuedOn": i.issued_on,
                    "dueOn": i.due_on,
                    "amount": i.amount,
                    "amountPaid": i.amount_paid,
                    "status": i.status,
                    "currency": i.currency,
                }
                for i in inv
                if is_unpaid(i)
            ],
            "webActivityToday": [
                {
                    "id": v.id,
                    "startedAt": v.started_at,
                    "pagesViewed": v.pages_viewed,
                    "landingPage": v.landing_page,
                    "cartStatus": v.cart_status,
                    "cartValue": v.cart_value,
                    "cartItems": v.cart_items,
                }
                for v in vis
                if v.started_at.date() == now.date()
            ],
            "recentMentions": [
                {
                    "id": m.id,
                    "network": m.network,
                    "text": m.text,
                    "sentiment": m.sentiment,
                    "sentimentScore": m.sentiment_score,
                    "postedAt": m.posted_at,
                }
                for m in men
                if m.posted_at >= cutoff
            ],
        }
    }


def customer_summary(person: CustomerProfile, found: dict[str, Any]) -> Json:
    """One entry of scenario c's ``customers(ids:) { id name orders invoices tickets }``."""
    return {
        "id": person.id,
        "name": _name(person),
        "orders": [
            {"id": x.id, "placedAt": x.placed_at, "total": x.total, "status": x.status}
            for x in found["orders"]
        ],
        "invoices": [
            {"id": i.id, "amount": i.amount, "status": i.status} for i in found["invoices"]
        ],
        "tickets": [
            {"id": t.id, "subject": t.subject, "status": t.status} for t in found["tickets"]
        ],
    }


def customer_orders(person: CustomerProfile, found: dict[str, Any]) -> Json:
    """One entry of scenario d's ``customers(ids:) { id orders { ... lines } }``."""
    return {
        "id": person.id,
        "orders": [
            {
                "id": x.id,
                "placedAt": x.placed_at,
                "total": x.total,
                "status": x.status,
                "lines": [
                    {"sku": line.sku, "quantity": line.quantity, "unitPrice": line.unit_price}
                    for line in x.lines
                ],
            }
            for x in found["orders"]
        ],
    }
