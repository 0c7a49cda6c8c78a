"""Where the demo people live: a small table of US cities and streets, written several ways.

"123 Main St" vs "123 Main Street" is the format-only difference a good
Customer 360 must ignore, so every address can be rendered in both styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random


@dataclass(slots=True, frozen=True)
class City:
    """A city with its coordinates (what the weather service is asked for) and phone area codes."""

    name: str
    state: str
    latitude: float
    longitude: float
    area_codes: tuple[str, ...]
    zip_base: int
    zip_spread: int


CITIES: tuple[City, ...] = (
    City("New York", "NY", 40.71, -74.01, ("212", "718", "917"), 10001, 40),
    City("Los Angeles", "CA", 34.05, -118.24, ("213", "310", "323"), 90001, 80),
    City("Chicago", "IL", 41.88, -87.63, ("312", "773"), 60601, 60),
    City("San Francisco", "CA", 37.77, -122.42, ("415", "628"), 94102, 30),
    City("Boston", "MA", 42.36, -71.06, ("617", "857"), 2108, 30),
    City("Seattle", "WA", 47.61, -122.33, ("206",), 98101, 40),
    City("Denver", "CO", 39.74, -104.99, ("303", "720"), 80202, 40),
    City("Austin", "TX", 30.27, -97.74, ("512", "737"), 78701, 40),
    City("Atlanta", "GA", 33.75, -84.39, ("404", "678"), 30303, 40),
    City("Miami", "FL", 25.76, -80.19, ("305", "786"), 33125, 30),
    City("Las Vegas", "NV", 36.17, -115.14, ("702", "725"), 89101, 40),
    City("Houston", "TX", 29.76, -95.37, ("713", "832"), 77002, 60),
    City("Phoenix", "AZ", 33.45, -112.07, ("602", "480"), 85003, 40),
    City("Philadelphia", "PA", 39.95, -75.17, ("215", "267"), 19102, 40),
    City("Portland", "OR", 45.52, -122.68, ("503", "971"), 97201, 30),
    City("Springfield", "IL", 39.78, -89.65, ("217",), 62701, 10),
)

STREET_NAMES: tuple[str, ...] = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park",
    "Sunset", "Lincoln", "Jackson", "Highland", "River", "Church", "Mill", "Spring", "Ridge",
    "Willow", "Franklin", "Madison", "Chestnut", "Walnut",
)  # fmt: skip

STREET_KINDS: tuple[tuple[str, str], ...] = (
    ("St", "Street"),
    ("Ave", "Avenue"),
    ("Rd", "Road"),
    ("Blvd", "Boulevard"),
    ("Dr", "Drive"),
    ("Ln", "Lane"),
)
"""(abbreviated, spelled out) street suffixes."""


@dataclass(slots=True, frozen=True)
class Address:
    """One real postal address; systems differ only in how they write the street suffix."""

    house_number: int
    street_name: str
    street_kind: tuple[str, str]
    city: City
    postal_code: str

    def street(self, *, abbreviated: bool) -> str:
        """`123 Main St` or `123 Main Street`."""
        suffix = self.street_kind[0] if abbreviated else self.street_kind[1]
        return f"{self.house_number} {self.street_name} {suffix}"

    def one_line(self, *, abbreviated: bool) -> str:
        """`123 Main Street, Springfield, IL 62701`: how the order and billing systems store it."""
        street = self.street(abbreviated=abbreviated)
        return f"{street}, {self.city.name}, {self.city.state} {self.postal_code}"


def random_address(rng: Random, city: City) -> Address:
    """A plausible address in `city`."""
    return Address(
        house_number=rng.randint(1, 9899),
        street_name=rng.choice(STREET_NAMES),
        street_kind=rng.choice(STREET_KINDS),
        city=city,
        postal_code=f"{city.zip_base + rng.randrange(city.zip_spread):05d}",
    )


def main_street_address(rng: Random, city: City) -> Address:
    """An address on Main St, for the planted `street_abbreviation` case."""
    return Address(
        house_number=rng.randint(10, 999),
        street_name="Main",
        street_kind=STREET_KINDS[0],
        city=city,
        postal_code=f"{city.zip_base + rng.randrange(city.zip_spread):05d}",
    )
