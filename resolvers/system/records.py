"""Domain records: what the process and experience layers see, whatever system a record came from.

Every record names its ``source`` (the system it came from). Fields a source may
not have are optional; the config's field mapping decides which are filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from resolvers.system.business_records import BUSINESS_RECORD_TYPES


@dataclass(slots=True, frozen=True)
class CrossReference:
    """This record's person is ``record_id`` in ``system``, as the field in ``evidence`` says.

    Mapped from an entity's ``links`` (``evidence`` is ``<source>.<field>``, e.g.
    ``crm.order_customer_id``): the id the linked system knows the person by.
    """

    system: str
    record_id: str
    evidence: str


@dataclass(slots=True, frozen=True)
class CustomerProfile:
    """A person as a customer system (CRM) knows them."""

    source: str
    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    account_id: str | None = None
    twitter_handle: str | None = None
    marketing_consent: bool | None = None
    """May we send this person marketing offers (None: the system does not say, so no)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""
    birth_date: date | None = None
    national_id: str | None = None
    """A national id (a US Social Security number) as the system writes it; compared by its
    digits (identity matching, data quality), never shown whole."""


@dataclass(slots=True, frozen=True)
class OrderLine:
    source: str
    sku: str | None = None
    name: str | None = None
    quantity: int = 1
    unit_price: float = 0.0


@dataclass(slots=True, frozen=True)
class Order:
    source: str
    id: str
    placed_at: datetime
    total: float
    status: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    currency: str | None = None
    cost_of_goods: float | None = None
    shipping_cost: float | None = None
    discount: float | None = None
    refunded: float | None = None
    """What was paid back (a return, a goodwill refund); None: the source does not say."""
    lines: Sequence[OrderLine] = ()
    """Mapped from the source on first read (see ``mapping.OnDemand``)."""
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""


@dataclass(slots=True, frozen=True)
class Invoice:
    source: str
    id: str
    amount: float
    issued_on: date | None = None
    due_on: date | None = None
    amount_paid: float = 0.0
    status: str | None = None
    currency: str | None = None
    kind: str | None = None
    account_id: str | None = None
    bill_to_email: str | None = None
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""


@dataclass(slots=True, frozen=True)
class Ticket:
    source: str
    id: str
    status: str
    subject: str | None = None
    priority: str | None = None
    channel: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    handling_minutes: int | None = None
    requester_email: str | None = None
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""


@dataclass(slots=True, frozen=True)
class WebVisit:
    source: str
    id: str
    started_at: datetime
    ended_at: datetime | None = None
    pages_viewed: int | None = None
    landing_page: str | None = None
    referrer: str | None = None
    device: str | None = None
    cart_id: str | None = None
    cart_status: str | None = None
    cart_value: float | None = None
    cart_items: int | None = None
    user_email: str | None = None
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""


@dataclass(slots=True, frozen=True)
class SocialMention:
    source: str
    id: str
    posted_at: datetime
    text: str | None = None
    sentiment_score: float | None = None
    sentiment: str | None = None
    network: str | None = None
    url: str | None = None
    handle: str | None = None
    author_name: str | None = None
    links: tuple[CrossReference, ...] = ()
    """Ids of this person in other systems (the entity's ``links``)."""


@dataclass(slots=True, frozen=True)
class CurrentWeather:
    source: str
    latitude: float
    longitude: float
    observed_at: datetime | None = None
    temperature_c: float | None = None
    weather_code: int | None = None
    wind_speed_kmh: float | None = None
    humidity_pct: float | None = None


@dataclass(slots=True, frozen=True)
class RfmCutPoints:
    """Quintile boundaries of the customer population, as of a time (ascending, four each)."""

    source: str
    as_of: datetime
    recency_days: tuple[float, ...]
    frequency: tuple[float, ...]
    monetary: tuple[float, ...]
    customers: int | None = None
    window_days: int | None = None
    """The window the value columns below cover (None: the source sends cut points only)."""
    compare_days: int | None = None
    recency_days_values: tuple[float, ...] = ()
    """Row i of every ``*_values`` column is one anonymous customer (no ids): the population
    the rank rule, segment sizes and the lifetime-value model are computed from."""
    frequency_values: tuple[float, ...] = ()
    monetary_values: tuple[float, ...] = ()
    tenure_days_values: tuple[float, ...] = ()
    prior_recency_days_values: tuple[float, ...] = ()
    prior_frequency_values: tuple[float, ...] = ()
    prior_monetary_values: tuple[float, ...] = ()
    prior_tenure_days_values: tuple[float, ...] = ()


@dataclass(slots=True, frozen=True)
class ListedCustomer:
    """One entry of an order system's customer list: what the population scan pages through.

    Only ever held while its orders are read and summed into an anonymous value row.
    """

    source: str
    id: str
    email: str | None = None


RECORD_TYPES: dict[str, type] = {
    "customer": CustomerProfile,
    "order_customers": ListedCustomer,
    "orders": Order,
    "invoices": Invoice,
    "tickets": Ticket,
    "web_visits": WebVisit,
    "social_mentions": SocialMention,
    "weather": CurrentWeather,
    "rfm_cutpoints": RfmCutPoints,
    **BUSINESS_RECORD_TYPES,
}
"""What an entity's ``serves:`` may name, and the record it maps to."""

NESTED_TYPES: dict[str, type] = {"lines": OrderLine}
