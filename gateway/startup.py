"""What stops the gateway at start with one line instead of a traceback: a bad config.

``c360 serve`` and ``c360 demo`` build the app once in the CLI's process, as each
uvicorn worker will, so that a bad source config, intelligence policy, saved query
or cost estimate is named before uvicorn starts.
"""

from __future__ import annotations

from gateway.app import create_app
from gateway.demand_control import CostConfigError
from gateway.saved_queries import SavedQueryError
from gateway.settings import Settings
from resolvers.system.runtime import ConfigError

STARTUP_ERRORS: tuple[type[Exception], ...] = (ConfigError, SavedQueryError, CostConfigError)
"""A bad file or setting: the source config and the intelligence policy (raised while the
source runtime and the intelligence the request contexts hold are built), the saved
queries, the cost model's list sizes."""


def startup_problem(settings: Settings) -> str | None:
    """The message of the config error that would stop the gateway, None when it starts."""
    try:
        create_app(settings)
    except STARTUP_ERRORS as exc:
        return str(exc)
    return None
