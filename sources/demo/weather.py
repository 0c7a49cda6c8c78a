"""The demo weather service, shaped like Open-Meteo's `/v1/forecast` "current" block.

One coordinate pair answers one object, several answer a list in the same
order (as Open-Meteo does). Values depend only on the place and the hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import array, document, get_operation, integer, number, obj, string
from sources.demo.params import BadRequest, batch_values, required_batch
from sources.demo.service import DemoService, Knobs
from sources.demo.world.climate import UNITS, current_conditions

JsonRecord = dict[str, Any]
Clock = Callable[[], datetime]
SYSTEM = "weather"
INTERVAL_SECONDS = 900


def _coordinates(request: web.Request, name: str, limit: float) -> list[float]:
    values: list[float] = []
    for raw in required_batch(request, name):
        try:
            value = float(raw)
        except ValueError as problem:
            raise BadRequest(f"'{name}' must be numbers, got {raw!r}") from problem
        if not -limit <= value <= limit:
            raise BadRequest(f"'{name}' must be between -{limit:g} and {limit:g}, got {raw!r}")
        values.append(value)
    return values


class WeatherService:
    """Current conditions per coordinate pair, at the 15-minute slot of `clock()`."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def forecast(self, request: web.Request) -> web.Response:
        latitudes = _coordinates(request, "latitude", 90)
        longitudes = _coordinates(request, "longitude", 180)
        if len(latitudes) != len(longitudes):
            raise BadRequest(
                "latitude and longitude must list as many values "
                f"({len(latitudes)} != {len(longitudes)})"
            )
        if not latitudes:
            raise BadRequest("'latitude' and 'longitude' must list at least one coordinate")
        variables = batch_values(request, "current") or list(UNITS)
        unknown = [variable for variable in variables if variable not in UNITS]
        if unknown:
            raise BadRequest(f"unknown 'current' variable(s): {', '.join(unknown)}")
        now = self.clock().astimezone(UTC)
        slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        answers = [
            self._point(latitude, longitude, slot, variables)
            for latitude, longitude in zip(latitudes, longitudes, strict=True)
        ]
        return web.json_response(answers[0] if len(answers) == 1 else answers)

    @staticmethod
    def _point(
        latitude: float, longitude: float, slot: datetime, variables: list[str]
    ) -> JsonRecord:
        conditions = current_conditions(latitude, longitude, slot)
        current: JsonRecord = {
            "time": slot.strftime("%Y-%m-%dT%H:%M"),
            "interval": INTERVAL_SECONDS,
        }
        units: JsonRecord = {"time": "iso8601", "interval": "seconds"}
        for variable in dict.fromkeys(variables):
            current[variable] = conditions[variable]
            units[variable] = UNITS[variable]
        return {
            "latitude": round(latitude, 4),
            "longitude": round(longitude, 4),
            "utc_offset_seconds": 0,
            "timezone": "GMT",
            "timezone_abbreviation": "GMT",
            "current_units": units,
            "current": current,
        }


def create_service(
    world: DemoWorld, *, knobs: Knobs | None = None, clock: Clock | None = None
) -> DemoService:
    """`clock` defaults to the wall clock in UTC; tests may pin it."""
    weather = WeatherService(clock or (lambda: datetime.now(UTC)))
    routes = [web.get("/v1/forecast", weather.forecast)]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


def _coordinate_parameter(name: str, example: str) -> JsonRecord:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": f"{name.capitalize()}(s) in degrees, comma-separated; as many as the other.",
        "schema": {"type": "string"},
        "example": example,
    }


SCHEMAS = {
    "CurrentUnits": obj(
        {
            "time": string("Always 'iso8601'."),
            "interval": string("Always 'seconds'."),
            "temperature_2m": string("'°C'."),
            "weather_code": string("'wmo code'."),
            "wind_speed_10m": string("'km/h'."),
            "relative_humidity_2m": string("'%'."),
        }
    ),
    "Current": obj(
        {
            "time": string(
                "Start of the 15-minute slot, UTC, 'YYYY-MM-DDTHH:MM'.", example="2026-11-27T09:00"
            ),
            "interval": integer("Slot length in seconds (900)."),
            "temperature_2m": number("Air temperature at 2 m, °C."),
            "weather_code": integer("WMO weather interpretation code."),
            "wind_speed_10m": number("Wind speed at 10 m, km/h."),
            "relative_humidity_2m": integer("Relative humidity at 2 m, %."),
        }
    ),
    "Forecast": obj(
        {
            "latitude": number("Latitude as requested."),
            "longitude": number("Longitude as requested."),
            "utc_offset_seconds": integer("Always 0."),
            "timezone": string("Always 'GMT'."),
            "timezone_abbreviation": string("Always 'GMT'."),
            "current_units": {"$ref": "#/components/schemas/CurrentUnits"},
            "current": {"$ref": "#/components/schemas/Current"},
        }
    ),
    "ForecastList": array({"$ref": "#/components/schemas/Forecast"}, "One Forecast per pair."),
    "ForecastResponse": {
        "description": "A Forecast for one coordinate pair; a list of them, in order, for several.",
        "oneOf": [
            {"$ref": "#/components/schemas/Forecast"},
            {"$ref": "#/components/schemas/ForecastList"},
        ],
    },
}
for _schema in ("CurrentUnits", "Current"):
    # Only the requested `current` variables appear, so only time and interval are always there.
    SCHEMAS[_schema]["required"] = ["time", "interval"]

OPENAPI = document(
    SYSTEM,
    "Current weather shaped like Open-Meteo's /v1/forecast; deterministic per place and hour.",
    {
        "/v1/forecast": {
            "get": get_operation(
                "getCurrentWeather",
                "Current conditions at one or more coordinate pairs",
                [
                    _coordinate_parameter("latitude", "40.71,34.05"),
                    _coordinate_parameter("longitude", "-74.01,-118.24"),
                    {
                        "name": "current",
                        "in": "query",
                        "required": False,
                        "description": "Variables, comma-separated; default all of "
                        + ", ".join(UNITS)
                        + ".",
                        "schema": {"type": "string"},
                        "example": ",".join(UNITS),
                    },
                ],
                "ForecastResponse",
                description="One pair answers a Forecast object; several answer a list in order. "
                "Mismatched latitude/longitude counts answer 400.",
            )
        },
    },
    SCHEMAS,
)
