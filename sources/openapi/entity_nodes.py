"""How a proposed entity reads as YAML: its lookups, links and fields, each guess marked.

A guess's comment says what it was guessed from (``# REVIEW: guessed from
'order_total' (score 0.82)``); a lookup not chosen is written commented out
with the reason it lost, so a person can swap it in.
"""

from __future__ import annotations

from sources.openapi.fields import FieldChoice, RecordMapping
from sources.openapi.lookups import LookupProposal
from sources.openapi.names import snake
from sources.openapi.writer import Node


def serves_note(mapping: RecordMapping, names: list[str]) -> str:
    if mapping.exact:
        return ""
    return f"REVIEW: guessed from '{names[0]}' (score {mapping.score:.2f})"


def link_system(field_name: str) -> str:
    return snake(field_name).split("_")[0] or "other"


def links_node(links: list[LookupProposal], doubts: dict[str, str]) -> Node:
    """``links:``: a link the importer could aim (``link:<system>`` named) is written, marked
    for review; the others stay commented, named by the field's first word."""
    children = []
    for proposal in links:
        assert proposal.link_field is not None
        field = {"from": proposal.link_field}
        if proposal.kind.startswith("link:") and proposal.kind != "link:":
            system = proposal.kind.removeprefix("link:")
            children.append(Node(system, field, note=f"REVIEW: {proposal.guesses[0]}"))
        else:
            doubt = doubts.get(proposal.link_field, "")
            children.append(
                Node(link_system(proposal.link_field), field, commented=True, note=doubt)
            )
    aimed = any(not c.commented for c in children)
    before = [
        "REVIEW: fields that look like this person's id in another system;",
        "name each by the source that id belongs to, then uncomment",
    ]
    if aimed:
        before = ["fields holding this person's id in another system (each a guess to review)"]
    return Node("links", children=children, commented=not aimed, before=before)


def lookup_node(proposal: LookupProposal, *, alternative: bool = False) -> Node:
    operation = proposal.operation
    kind = proposal.kind
    if kind == "link:":
        kind = f"link:{link_system(proposal.link_field or '')}"
    children = []
    if operation.method != "GET":
        children.append(Node("method", operation.method))
    children.append(Node("path", proposal.path))
    if proposal.optional:
        query = [Node(name, value) for name, value in proposal.query.items()]
        query += [Node(n, v, note=why, commented=True) for n, v, why in proposal.optional]
        children.append(Node("query", children=query, commented=not proposal.query))
    elif proposal.query:
        children.append(Node("query", proposal.query))
    if proposal.json_body is not None:
        children.append(Node("json_body", proposal.json_body))
    if proposal.match_on is not None:
        children.append(Node("match_on", proposal.match_on))
    if proposal.echo:
        children.append(Node("echo", proposal.echo))
    if proposal.group is not None:
        children.append(Node("group", proposal.group))
    if proposal.paging is not None:
        children.append(Node("paging", proposal.paging))
    if proposal.max_batch is not None:
        children.append(Node("max_batch", proposal.max_batch))
    if proposal.key_format is not None:
        children.append(Node("key_format", proposal.key_format))
    if proposal.arguments:
        children.append(Node("arguments", proposal.arguments))
    source = f"{operation.method} {operation.path} ({operation.operation_id})"
    if alternative:
        return Node(
            kind,
            children=children,
            commented=True,
            before=[f"not used: {source}: {proposal.unusable}"],
        )
    note = f"from {source}"
    if kind == "link":
        proposal.guesses.append(
            "the person's id here: your customer system's entity needs "
            "links: { <this source>: { from: <its field holding it> } }"
        )
    if proposal.guesses:
        note = f"REVIEW: {'; '.join(proposal.guesses)} - {note}"
    return Node(kind, children=children, note=note)


def fields_node(mapping: RecordMapping) -> Node:
    children = [_field_node(choice) for choice in mapping.fields]
    if mapping.unmapped:
        unused = ", ".join(mapping.unmapped)
        children.append(Node("unmapped", unused, commented=True, note="answer fields not used"))
    return Node("fields", children=children)


def _field_node(choice: FieldChoice) -> Node:
    if choice.source is None:
        return Node(choice.domain, "...", commented=True, note="no source field found")
    note = (
        "" if choice.exact else f"REVIEW: guessed from '{choice.source}' (score {choice.score:.2f})"
    )
    if choice.nested:
        inner = [_field_node(c) for c in choice.nested]
        return Node(
            choice.domain,
            note=note,
            children=[
                Node("from", choice.source),
                Node("fields", children=inner),
            ],
        )
    return Node(choice.domain, choice.source, note=note)
