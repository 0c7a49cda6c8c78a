"""Following a lookup's answer over several pages, and knowing when to stop.

Three styles, the ones REST APIs use: a next-page link in the answer
(``next``), a cursor in the answer sent back as a parameter (``cursor_at`` +
``cursor_param``), or numbered pages of a fixed size (``page_param`` +
``size_param``/``size``, stopping at ``total_at`` or at a short page). Every
page is one request to the source (its budget and metrics count it). A source
that never says "done" costs at most ``max_pages`` requests and the call's
deadline, then a ``SourceBadResponse``: the same cursor or link twice is a
loop, not a page.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sources.records_path import value_at

DEFAULT_MAX_PAGES = 20


class Paging(BaseModel):
    """How to ask for the next page of a lookup's answer (exactly one style)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    next: Annotated[str, Field(min_length=1)] | None = None
    """Dotted path of the next page's URL in the answer (absolute, or relative to the source)."""
    cursor_at: Annotated[str, Field(min_length=1)] | None = None
    """Dotted path of the next cursor in the answer; empty or missing: the last page."""
    cursor_param: Annotated[str, Field(min_length=1)] | None = None
    """The query parameter the cursor is sent back in."""
    page_param: Annotated[str, Field(min_length=1)] | None = None
    first_page: Annotated[int, Field(ge=0)] = 1
    size_param: Annotated[str, Field(min_length=1)] | None = None
    size: Annotated[int, Field(ge=1, le=100_000)] = 100
    total_at: Annotated[str, Field(min_length=1)] | None = None
    """Dotted path of the total number of items; without it a short page is the last."""
    max_pages: Annotated[int, Field(ge=1, le=1_000)] = DEFAULT_MAX_PAGES

    @model_validator(mode="after")
    def _one_style(self) -> Paging:
        styles = [
            name
            for name, used in (
                ("next", self.next is not None),
                ("cursor_at", self.cursor_at is not None or self.cursor_param is not None),
                ("page_param", self.page_param is not None),
            )
            if used
        ]
        if len(styles) != 1:
            raise ValueError(
                "give exactly one of 'next' (a next-page link), 'cursor_at' with "
                "'cursor_param', or 'page_param' (numbered pages)"
                + (f"; got {' and '.join(styles)}" if styles else "")
            )
        if (self.cursor_at is None) != (self.cursor_param is None):
            raise ValueError("'cursor_at' and 'cursor_param' go together")
        if self.page_param is None and (self.size_param is not None or self.total_at is not None):
            raise ValueError("'size_param' and 'total_at' are for numbered pages ('page_param')")
        return self

    def first_params(self) -> dict[str, str]:
        """Parameters the first request adds (numbered pages: the first page and its size)."""
        if self.page_param is None:
            return {}
        params = {self.page_param: str(self.first_page)}
        if self.size_param is not None:
            params[self.size_param] = str(self.size)
        return params


class PageLoop(ValueError):
    """The source's pages do not end; the message says why (the connector names the source)."""


class Pages:
    """The state of one call's walk over pages: what to ask next, or None when done."""

    def __init__(self, paging: Paging) -> None:
        self.paging = paging
        self.fetched = 0
        self.items = 0
        self._seen: set[str] = set()

    def after(self, payload: Any, items_on_page: int) -> dict[str, str] | str | None:
        """What the next request needs after a page of ``items_on_page`` items, or None when done.

        A ``str`` is a next link to follow; a ``dict`` the parameters to add to the
        first request's. Raises ``PageLoop`` when the answer points back at a page
        already fetched, or when another page would pass ``max_pages``.
        """
        paging = self.paging
        self.fetched += 1
        self.items += items_on_page
        following: dict[str, str] | str | None
        if paging.next is not None:
            link = value_at(payload, paging.next)
            following = link if isinstance(link, str) and link else None
            marker = following
        elif paging.cursor_at is not None and paging.cursor_param is not None:
            cursor = value_at(payload, paging.cursor_at)
            if cursor is None or cursor == "" or isinstance(cursor, bool | dict | list):
                following = None
            else:
                following = {paging.cursor_param: str(cursor)}
            marker = str(cursor) if following is not None else None
        else:
            following = self._next_page(payload, items_on_page)
            marker = None
        if following is None:
            return None
        if marker is not None:
            if marker in self._seen:
                what = "next link" if paging.next is not None else "cursor"
                raise PageLoop(f"paging does not end: the same {what} twice")
            self._seen.add(marker)
        if self.fetched >= paging.max_pages:
            raise PageLoop(f"more than max_pages ({paging.max_pages}) pages; not followed further")
        return following

    def _next_page(self, payload: Any, items_on_page: int) -> dict[str, str] | None:
        paging = self.paging
        if items_on_page == 0:
            return None
        if paging.total_at is not None:
            total = value_at(payload, paging.total_at)
            if isinstance(total, int) and not isinstance(total, bool):
                if self.items >= total:
                    return None
            elif items_on_page < paging.size:
                return None
        elif items_on_page < paging.size:
            return None
        assert paging.page_param is not None  # the style checked at load
        return {paging.page_param: str(paging.first_page + self.fetched)}
