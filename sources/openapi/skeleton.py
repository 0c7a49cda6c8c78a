"""One source's YAML skeleton from an OpenAPI document: entities, lookups, fields, review marks.

Operations answering the same record schema make one entity. Per key kind the
best lookup is written (batched over per-key, the key's own field over a
similar one); the others, and anything the importer could not decide, are
commented suggestions. What is written passes ``c360 check-config`` as it is,
except a ``link`` lookup, which needs the customer system's ``links`` (the
file says so).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError

from sources.config import SourcesConfig
from sources.errors import ConfigError
from sources.openapi.answers import RecordsShape, paging_of, records_shape
from sources.openapi.auth import auth_nodes
from sources.openapi.document import Document, OpenApiError, Operation
from sources.openapi.domain import Domain
from sources.openapi.entity_nodes import fields_node, links_node, lookup_node, serves_note
from sources.openapi.fields import RecordMapping, propose_mapping
from sources.openapi.link_targets import LinkTarget, aim, target_of
from sources.openapi.lookups import LookupProposal, propose, takes_keys
from sources.openapi.names import singular, snake
from sources.openapi.writer import Node, render

_SOURCE_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(slots=True)
class _Entity:
    name: str
    names: list[str]
    answers: list[tuple[Operation, RecordsShape]] = field(default_factory=list)


def skeleton(
    doc: Document,
    source: str,
    domain: Domain,
    base_url: str | None = None,
    targets: Sequence[LinkTarget] = (),
) -> str:
    """The YAML text of source ``source``; raises ``OpenApiError`` when nothing is usable.

    Entities are mapped onto ``domain``'s records, and the written text is checked
    with ``domain.check_mappings`` before it is returned. ``targets``: the other
    systems' ``link`` lookups (``link_targets``), to name the system a customer
    record's cross-reference field points at.
    """
    if not _SOURCE_NAME.fullmatch(source):
        raise OpenApiError(f"source name '{source}': use lower-case letters, digits and '_'")
    operations = list(doc.operations())
    if not operations:
        raise OpenApiError(f"{doc.origin}: no usable paths: no GET or POST operation")
    entities = _entities(doc, operations)
    if not entities:
        raise OpenApiError(
            f"{doc.origin}: no usable paths: no operation answers JSON records "
            "(a 2xx application/json object or list of objects)"
        )
    nodes: list[Node] = []
    reasons: list[str] = []
    served: dict[str, str] = {}
    for entity in entities.values():
        node, why = _entity_node(doc, entity, domain, targets)
        nodes.append(node)
        if why:
            reasons.append(f"{entity.name}: {why}")
        else:
            served[entity.name] = str(node.children[0].value)
    if any(s != "customer" for s in served.values()):
        _second_customer_system(nodes, served)
    if all(n.commented for n in nodes):
        raise OpenApiError(f"{doc.origin}: no usable paths: {'; '.join(reasons)}")
    url = base_url or doc.server_url()
    url_node = Node("base_url", url)
    if url is None:
        variable = f"{source.upper()}_URL"
        url_node = Node("base_url", f"${{{variable}}}", note="the document names no server")
    settings = [Node("kind", "rest"), url_node, *auth_nodes(doc, source, str(url_node.value))]
    source_node = Node(source, children=[*settings, Node("entities", children=nodes)])
    header = [
        f"Source '{source}', written by `c360 import-openapi` from {doc.origin} ({doc.title}).",
        "Lines marked REVIEW are guesses: check each, then delete the mark. Lines without",
        "one are exact name matches. Commented-out lines are suggestions the importer",
        "could not decide. Check the result with `c360 check-config FILE`.",
    ]
    text = render(header, Node("sources", children=[source_node]))
    _check(text, doc.origin, domain)
    return text


def _check(text: str, origin: str, domain: Domain) -> None:
    """The skeleton loads as a source config, mappings included (links are the file's owner's).

    A failure here is the importer's bug; it is still one line, never a traceback.
    """
    # ``${VAR}``s (a URL, a secret) are the user's to set: any URL stands in for them here.
    filled = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", "http://variable.invalid", text)
    try:
        config = SourcesConfig.model_validate(yaml.safe_load(filled))
        domain.check_mappings(config)
    except (ValidationError, ConfigError) as exc:
        problem = " ".join(str(exc).split())[:300]
        raise OpenApiError(f"{origin}: the skeleton does not validate (a bug): {problem}") from None


def _second_customer_system(nodes: list[Node], served: dict[str, str]) -> None:
    """Comment out profiles in a system that mainly serves other records (an order system).

    Its customers would join the CRM's as a second customer system; that is a
    decision for a person, not a name match.
    """
    others = sorted({s for s in served.values() if s != "customer"})
    for node in nodes:
        if served.get(node.key) == "customer":
            node.commented = True
            node.before.append(
                f"REVIEW: customer profiles in a system that serves {', '.join(others)}: "
                "uncomment only to make it a customer system too"
            )


def _entities(doc: Document, operations: list[Operation]) -> dict[str, _Entity]:
    """Operations grouped by the record they answer (its schema name, else the path's noun)."""
    found: dict[str, _Entity] = {}
    for operation in operations:
        if operation.response is None:
            continue
        shape = records_shape(doc, operation.response)
        if shape is None:
            continue
        record = shape.record_name or _noun(operation.path)
        # The path's noun names a record only when its schema has no name: for a grouped
        # answer at /customer-orders it would make 'customer_id' look like the order's id.
        if record not in found:
            found[record] = _Entity(_entity_name(record, found), [record])
        found[record].answers.append((operation, shape))
    return found


def _entity_name(record: str, taken: dict[str, _Entity]) -> str:
    """``Order`` → ``orders``; unique among the entities found so far."""
    word = snake(record) or "records"
    name = word if singular(word) != word else f"{word}s"
    names = {e.name for e in taken.values()}
    unique, number = name, 2
    while unique in names:
        unique, number = f"{name}_{number}", number + 1
    return unique


def _noun(path: str) -> str:
    static = [s for s in path.split("/") if s and not s.startswith("{")]
    return static[-1] if static else "records"


def _proposals(
    doc: Document, entity: _Entity, domain: Domain
) -> tuple[RecordMapping | None, str, list[LookupProposal]]:
    """The entity's record mapping (or why none) and every lookup it could have."""
    mapping, why_not = propose_mapping(doc, entity.answers[0][1].record, entity.names, domain)
    if mapping is None:
        return None, why_not, []
    proposals: list[LookupProposal] = []
    id_field = mapping.source_of("id")
    for operation, shape in entity.answers:
        for proposal in propose(
            doc, operation, shape, customer=mapping.serves == "customer", id_field=id_field
        ):
            assert operation.response is not None
            paging = paging_of(doc, operation.response, operation.parameters)
            if paging is not None and not shape.single:
                proposal.paging = paging[0]
                proposal.guesses.append(f"paging: {paging[1]}")
            proposals.append(proposal)
    return mapping, "", proposals


def link_targets(doc: Document, system: str, domain: Domain) -> list[LinkTarget]:
    """How ``system`` (this document's system) is asked by its own ids: its ``link`` lookups."""
    found: list[LinkTarget] = []
    for entity in _entities(doc, list(doc.operations())).values():
        _, _, proposals = _proposals(doc, entity, domain)
        active, _ = _choose(proposals)
        found += [target_of(system, p) for p in active if p.kind == "link"]
    return found


def _entity_node(
    doc: Document, entity: _Entity, domain: Domain, targets: Sequence[LinkTarget]
) -> tuple[Node, str]:
    """The entity's node (commented out when it cannot be used) and, if so, why."""
    where = ", ".join(f"{op.method} {op.path}" for op, _ in entity.answers)
    if not any(takes_keys(doc, op, shape) for op, shape in entity.answers):
        return _unused(entity, where)  # not worth mapping: nothing could look it up
    mapping, why_not, proposals = _proposals(doc, entity, domain)
    if mapping is None:
        return Node(
            entity.name,
            "...",
            commented=True,
            before=[
                f"{where}: no domain record fits ({why_not}); map it by hand if it is one",
            ],
        ), why_not
    doubts = aim(doc, entity.answers[0][1].record, proposals, targets)
    active, others = _choose(proposals)
    if not active:
        return _unused(entity, where)
    records_at = active[0].shape.records_at
    children = [
        Node("serves", mapping.serves, note=serves_note(mapping, entity.names)),
        Node("records_at", records_at, note=f"from the answer of {active[0].operation.path}"),
    ]
    links = [p for p in proposals if p.link_field is not None]
    if links:
        children.append(links_node(links, doubts))
    lookups = [lookup_node(p) for p in active]
    lookups += [lookup_node(p, alternative=True) for p in others]
    children.append(Node("lookups", children=lookups))
    children.append(fields_node(mapping))
    return Node(entity.name, children=children), ""


def _unused(entity: _Entity, where: str) -> tuple[Node, str]:
    why = "no lookup by a customer key (an email, phone, handle or id parameter)"
    return Node(entity.name, "...", commented=True, before=[f"{where}: {why}"]), why


def _choose(proposals: list[LookupProposal]) -> tuple[list[LookupProposal], list[LookupProposal]]:
    """The lookups to write, one per key kind, and the rest (written commented out)."""
    ranked = sorted(proposals, key=lambda p: p.rank, reverse=True)
    batched = any(p.batched and p.unusable is None for p in ranked)
    active: dict[str, LookupProposal] = {}
    others: list[LookupProposal] = []
    records_at: str | None = None
    for proposal in ranked:
        if proposal.unusable is None and batched and not proposal.batched:
            proposal.unusable = "one request per key; a batched lookup exists"
        if proposal.unusable is None and proposal.kind == "link:":
            proposal.unusable = "finds profiles by another system's id: needs links (above)"
        if records_at is not None and proposal.shape.records_at != records_at:
            proposal.unusable = proposal.unusable or (
                f"its records are at '{proposal.shape.records_at}', not '{records_at}'"
            )
        if proposal.unusable is None and proposal.kind not in active:
            active[proposal.kind] = proposal
            records_at = proposal.shape.records_at
        else:
            proposal.unusable = proposal.unusable or f"another {proposal.kind} lookup is better"
            others.append(proposal)
    if len(active) > 1 and "link" in active:
        link = active.pop("link")
        link.unusable = "needs links: { <this source>: { from: <field> } } in your customer system"
        others.insert(0, link)
    return list(active.values()), others


def import_openapi(
    location: str,
    source: str,
    domain: Domain,
    base_url: str | None = None,
    systems: Sequence[tuple[str, str]] = (),
) -> str:
    """Read the document at ``location`` (file or URL) and return source ``source``'s skeleton.

    ``systems``: (name, document location) of the other systems a customer record's
    cross-reference fields may point at.
    """
    from sources.openapi.document import read_document

    if base_url is not None and not re.match(r"https?://[^\s/]+", base_url):
        raise OpenApiError(f"--base-url '{base_url}': expected http(s)://host[:port][/path]")
    url = base_url.rstrip("/") if base_url else None
    targets: list[LinkTarget] = []
    for name, other in systems:
        if not _SOURCE_NAME.fullmatch(name):
            raise OpenApiError(f"--system '{name}': use lower-case letters, digits and '_'")
        targets += link_targets(read_document(other), name, domain)
    return skeleton(read_document(location), source, domain, url, targets)
