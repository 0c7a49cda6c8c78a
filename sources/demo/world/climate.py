"""Current weather as a pure function of place and hour, so repeated calls agree within the hour."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from random import Random

UNITS: dict[str, str] = {
    "temperature_2m": "°C",
    "weather_code": "wmo code",
    "wind_speed_10m": "km/h",
    "relative_humidity_2m": "%",
}
"""The `current` variables the demo knows, with Open-Meteo's unit labels."""

CLEAR_OR_CLOUDY = (0, 1, 2, 3)
WET = (45, 51, 61, 63, 80, 95)


def current_conditions(latitude: float, longitude: float, hour: datetime) -> dict[str, float]:
    """Temperature, WMO weather code, wind and humidity at a point for the hour of `hour`."""
    key = f"{latitude:.2f}:{longitude:.2f}:{hour:%Y-%m-%dT%H}"
    rng = Random(hashlib.sha256(key.encode()).digest())
    season = math.cos(2 * math.pi * (hour.timetuple().tm_yday - 200) / 365.25)
    local_hour = (hour.hour + longitude / 15) % 24
    temperature = (
        31
        - 0.4 * abs(latitude)
        + 0.2 * abs(latitude) * season * (1 if latitude >= 0 else -1)
        + 4 * math.cos(2 * math.pi * (local_hour - 15) / 24)
        + rng.gauss(0, 1.5)
    )
    if rng.random() < 0.7:
        code = rng.choice(CLEAR_OR_CLOUDY)
    else:
        code = rng.choice(WET)
        if temperature < 0.5 and code in (51, 61, 63, 80):
            code = 71
    return {
        "temperature_2m": round(temperature, 1),
        "weather_code": code,
        "wind_speed_10m": round(abs(rng.gauss(12, 7)), 1),
        "relative_humidity_2m": rng.randint(25, 97),
    }
