"""GraphQL types of the records each source system contributes (orders, invoices, tickets, ...).

These types read the domain records of ``resolvers.system.records`` as they are;
every field is plain data, resolved without a resolver function.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from resolvers.process.weather import describe_weather


@strawberry.type(description="One line of an order.")
class OrderLine:
    sku: str | None
    name: str | None
    quantity: int
    unit_price: float


@strawberry.type(description="An order from an order system.")
class Order:
    id: strawberry.ID
    source: str = strawberry.field(description="The system this order came from.")
    placed_at: datetime
    status: str | None
    currency: str | None
    total: float
    discount: float | None
    lines: list[OrderLine]


@strawberry.type(description="An invoice or credit note from a billing system.")
class Invoice:
    id: strawberry.ID
    source: str
    kind: str | None
    issued_on: date | None
    due_on: date | None
    amount: float
    amount_paid: float
    status: str | None
    currency: str | None


@strawberry.type(description="A support ticket from a support desk.")
class Ticket:
    id: strawberry.ID
    source: str
    subject: str | None
    status: str
    priority: str | None
    channel: str | None
    created_at: datetime | None
    updated_at: datetime | None


@strawberry.type(description="A visit to the website, with its cart if there was one.")
class WebVisit:
    id: strawberry.ID
    source: str
    started_at: datetime
    ended_at: datetime | None
    pages_viewed: int | None
    landing_page: str | None
    referrer: str | None
    device: str | None
    cart_status: str | None
    cart_value: float | None
    cart_items: int | None


@strawberry.type(description="A post about us by this customer, with its sentiment.")
class SocialMention:
    id: strawberry.ID
    source: str
    network: str | None
    text: str | None
    sentiment: str | None
    sentiment_score: float | None
    posted_at: datetime
    url: str | None


@strawberry.type(description="Current weather at the customer's location.")
class Weather:
    source: str
    observed_at: datetime | None
    temperature_c: float | None
    wind_speed_kmh: float | None
    humidity_pct: float | None
    weather_code: int | None

    @strawberry.field(description="The weather code in words.")
    def description(self) -> str | None:
        return describe_weather(self.weather_code)
