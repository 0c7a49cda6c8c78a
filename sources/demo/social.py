"""The demo social listening tool: mentions by handle (case-insensitive, '@' optional)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    list_of,
    number,
    obj,
    path_parameter,
    string,
)
from sources.demo.params import required_batch
from sources.demo.service import DemoService, Knobs

JsonRecord = dict[str, Any]
SYSTEM = "social"


def handle_key(handle: str) -> str:
    """`Maria_Lopez` and `@maria_lopez` are the same handle."""
    return "@" + handle.strip().lstrip("@").lower()


class SocialListening:
    """Mentions indexed by normalised handle, newest first."""

    def __init__(self, world: DemoWorld) -> None:
        self.mentions_by_handle: dict[str, list[JsonRecord]] = {}
        newest_first = sorted(world.mentions, key=lambda m: m["posted_at"], reverse=True)
        for mention in newest_first:
            self.mentions_by_handle.setdefault(handle_key(mention["handle"]), []).append(mention)

    async def mentions(self, request: web.Request) -> web.Response:
        handles = dict.fromkeys(handle_key(h) for h in required_batch(request, "handles"))
        found = [m for handle in handles for m in self.mentions_by_handle.get(handle, [])]
        found.sort(key=lambda m: m["posted_at"], reverse=True)
        return web.json_response({"data": found})

    async def author_mentions(self, request: web.Request) -> web.Response:
        handle = handle_key(request.match_info["handle"])
        return web.json_response({"data": self.mentions_by_handle.get(handle, [])})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    listening = SocialListening(world)
    routes = [
        web.get("/mentions", listening.mentions),
        web.get("/authors/{handle}/mentions", listening.author_mentions),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "Mention": obj(
        {
            "mention_id": string("Mention id.", example="MN-0000001"),
            "handle": string("Author handle with '@' as the network reports it (case varies)."),
            "author_name": string("Author display name."),
            "network": string("Social network.", enum=("x", "instagram", "facebook", "reddit")),
            "text": string("Post text."),
            "sentiment_score": number("Sentiment from -1 (negative) to 1 (positive)."),
            "sentiment": string(
                "<= -0.3 negative, >= 0.3 positive.", enum=("negative", "neutral", "positive")
            ),
            "posted_at": string("Posted, ISO 8601 UTC.", fmt="date-time"),
            "url": string("Link to the post.", fmt="uri"),
        }
    ),
    "MentionList": list_of("Mention"),
}

OPENAPI = document(
    SYSTEM,
    "Social mentions of the brand with sentiment, by author handle.",
    {
        "/mentions": {
            "get": get_operation(
                "getMentionsByHandles",
                "Mentions by author handles (case-insensitive), newest first",
                [
                    batch_parameter(
                        "handles",
                        "Handles, with or without '@'.",
                        "@maria_lopez,@jchen",
                        required=True,
                    )
                ],
                "MentionList",
            )
        },
        "/authors/{handle}/mentions": {
            "get": get_operation(
                "getAuthorMentions",
                "Mentions by one author, newest first",
                [path_parameter("handle", "Handle, with or without '@'.", "@maria_lopez")],
                "MentionList",
            )
        },
    },
    SCHEMAS,
)
