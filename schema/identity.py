"""GraphQL types of identity resolution: data-quality conflicts and ranked candidates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.process.data_quality import ConflictKind as ProcessConflictKind

if TYPE_CHECKING:
    from schema.customer import Customer

ConflictKind = strawberry.enum(
    ProcessConflictKind,
    name="ConflictKind",
    description="FORMAT_ONLY: the same value written differently ('123 Main St' and "
    "'123 MAIN STREET'); REAL: different values someone should reconcile.",
)


@strawberry.type(description="What one system's record holds for a field, as it writes it.")
class HeldValue:
    system: str
    record_id: strawberry.ID
    value: str


@strawberry.type(description="Systems that disagree on one field of the same person.")
class DataConflict:
    field: str = strawberry.field(
        description="name, email, phone, address, birthDate or nationalId (shown masked: its "
        "last four digits)."
    )
    kind: ConflictKind  # type: ignore[valid-type]
    values: list[HeldValue]


@strawberry.type(description="Someone a lookup or a search found, and how likely they are the one.")
class CustomerCandidate:
    customer: Annotated[Customer, strawberry.lazy("schema.customer")]
    confidence: float = strawberry.field(description="0 to 1: how well they fit what was asked.")
    matched_on: list[str] = strawberry.field(description="The evidence, strongest first.")
    ambiguous: bool = strawberry.field(
        description="True when another of the people listed beside this one (or the one "
        "answered) fits exactly as well: nothing told them apart, so the caller must choose."
    )
