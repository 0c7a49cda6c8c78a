"""``import-openapi``: a system's OpenAPI document becomes a skeleton that check-config takes.

Each demo system's own document (the one it serves at /openapi.json) is imported
and compared with the hand-written ``sources/demo/sources.yaml``: the lookup a
person would pick (batched, by the right parameter), where the records are,
which field carries the key, and the main fields mapped.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from resolvers.system.mapping import build_mappers
from sources.config import SEARCH_KINDS, Entity, SourcesConfig, load_sources_config
from sources.demo import billing, crm, orders, social, support, web
from sources.openapi.document import OpenApiError, parse_document
from sources.openapi.link_targets import LinkTarget, resolve, shapes
from sources.openapi.skeleton import import_openapi, skeleton
from sources.openapi.writer import scalar
from tools.import_openapi import DOMAIN

DEMO = load_sources_config(Path("sources/demo/sources.yaml"))


def _imported(tmp_path: Path, name: str, openapi: dict[str, Any]) -> tuple[str, SourcesConfig]:
    """The skeleton text for a demo system and the config it loads as (mappings built too)."""
    document = copy.deepcopy(openapi)
    document["servers"] = [{"url": "http://127.0.0.1:8102"}]
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    text = import_openapi(str(source), name, DOMAIN)
    written = tmp_path / f"{name}.yaml"
    written.write_text(text, encoding="utf-8")
    config = load_sources_config(written)
    build_mappers(config)  # what check-config does after loading: every mapping fits its record
    return text, config


def _entity(config: SourcesConfig, source: str, serves: str) -> Entity:
    found = [e for e in config.sources[source].entities.values() if e.serves == serves]
    assert len(found) == 1, f"{source}: expected one entity serving {serves}, got {found}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "module", "serves", "entity"),
    [
        ("orders", orders, "orders", "orders"),
        ("billing", billing, "invoices", "invoices"),
        ("support", support, "tickets", "tickets"),
        ("web", web, "web_visits", "visits"),
        ("social", social, "social_mentions", "mentions"),
    ],
)
def test_the_batched_lookup_of_each_demo_system_is_the_hand_written_one(
    tmp_path: Path, name: str, module: Any, serves: str, entity: str
) -> None:
    _, config = _imported(tmp_path, name, module.OPENAPI)
    proposed = _entity(config, name, serves)
    written = DEMO.sources[name].entities[entity]
    assert proposed.records_at == written.records_at == "data"
    assert set(proposed.lookups) == set(written.lookups)
    for kind, lookup in written.lookups.items():
        guess = proposed.lookups[kind]
        assert (guess.method, guess.path, guess.query) == (lookup.method, lookup.path, lookup.query)
        assert guess.match_on == lookup.match_on
        assert guess.arguments == lookup.arguments  # web's ?since= is pushed down
        assert not guess.per_key  # the per-key path (/customers/{id}/orders...) is not chosen


@pytest.mark.parametrize(
    ("name", "module", "serves", "entity", "main"),
    [
        ("orders", orders, "orders", "orders", ("id", "placed_at", "total", "status", "lines")),
        ("billing", billing, "invoices", "invoices", ("id", "amount", "due_on", "account_id")),
        ("support", support, "tickets", "tickets", ("id", "status", "subject", "created_at")),
        ("web", web, "web_visits", "visits", ("id", "started_at", "cart_status", "cart_value")),
    ],
)
def test_main_fields_are_mapped_as_a_person_would(
    tmp_path: Path, name: str, module: Any, serves: str, entity: str, main: tuple[str, ...]
) -> None:
    _, config = _imported(tmp_path, name, module.OPENAPI)
    proposed = _entity(config, name, serves).fields
    written = DEMO.sources[name].entities[entity].fields
    for field in main:
        assert field in proposed, f"{field} not mapped"
        got, want = proposed[field], written[field]
        got_path = got if isinstance(got, str) else got.source
        want_path = want if isinstance(want, str) else want.source
        assert got_path == want_path, field
    agreed = sum(
        1 for field, spec in written.items() if field in proposed and proposed[field] == spec
    )
    assert agreed >= len(written) - 1, f"only {agreed} of {len(written)} fields as hand-written"


def test_every_guess_is_marked_for_review_with_what_it_was_guessed_from(tmp_path: Path) -> None:
    text, _ = _imported(tmp_path, "orders", orders.OPENAPI)
    lines = {line.strip().split(":")[0]: line for line in text.splitlines()}
    assert "# REVIEW: guessed from 'order_id' (score" in lines["id"]
    assert "REVIEW" not in lines["placed_at"]  # the same name is not a guess
    # The per-key path is shown as a commented alternative, with the reason it lost.
    assert "# not used: GET /customers/{id}/orders" in text
    assert "a batched lookup exists" in text


def test_an_order_systems_own_customer_list_is_not_made_a_second_customer_system(
    tmp_path: Path,
) -> None:
    """Its customers are the order system's own list (``order_customers``, what the demo's
    population scan reads), with the same field mapping as the hand-written YAML."""
    _, config = _imported(tmp_path, "orders", orders.OPENAPI)
    entities = config.sources["orders"].entities
    assert "customer" not in {entity.serves for entity in entities.values()}
    assert entities["customers"].serves == "order_customers"
    assert entities["customers"].fields == DEMO.sources["orders"].entities["customer_list"].fields


def test_a_customer_system_gets_a_lookup_per_key_parameter(tmp_path: Path) -> None:
    _, config = _imported(tmp_path, "crm", crm.OPENAPI)
    contacts = _entity(config, "crm", "customer")
    assert {k: (v.query, v.match_on) for k, v in contacts.lookups.items()} == {
        k: (v.query, v.match_on)
        for k, v in DEMO.sources["crm"].entities["contacts"].lookups.items()
        if k not in SEARCH_KINDS  # searches are added by hand: no document says what they match
    }
    # Accounts (companies) are no domain record: left as a commented suggestion.
    assert list(config.sources["crm"].entities) == ["contacts"]


def _grouped_document() -> dict[str, Any]:
    """A foreign order system: own customer ids, grouped batch answers, cursor paging."""
    order = {
        "type": "object",
        "properties": {
            "order_no": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "order_total": {"type": "number"},
            "state": {"type": "string"},
        },
    }
    group = {
        "type": "object",
        "properties": {
            "customer_id": {"type": "string"},
            "orders": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
        },
    }
    page = {
        "type": "object",
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerOrders"}},
            "meta": {"type": "object", "properties": {"next_cursor": {"type": "string"}}},
        },
    }
    ids = {"type": "array", "items": {"type": "string"}, "maxItems": 50}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Foreign orders", "version": "2"},
        "servers": [{"url": "https://orders.example/api"}],
        "paths": {
            "/orders/by-customer": {
                "get": {
                    "parameters": [
                        {"name": "customer_id", "in": "query", "schema": ids},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": page}}},
                    },
                }
            },
            "/customers/{customerId}/orders": {
                "get": {
                    "parameters": [{"name": "customerId", "in": "path", "required": True}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": order}}
                            }
                        }
                    },
                }
            },
        },
        "components": {"schemas": {"Order": order, "CustomerOrders": group}},
    }


def test_a_grouped_batch_with_cursor_paging_is_proposed_as_group_and_paging() -> None:
    text = skeleton(
        parse_document(json.dumps(_grouped_document()), "orders.json"), "orders", DOMAIN
    )
    source = yaml.safe_load(text)["sources"]["orders"]
    assert source["base_url"] == "https://orders.example/api"
    entity = source["entities"]["orders"]
    assert entity["serves"] == "orders" and entity["records_at"] == "results"
    lookup = entity["lookups"]["link"]  # the system's own customer ids: a link lookup
    assert lookup["query"] == {"customer_id": "{keys*}"}  # an array: repeated parameters
    assert lookup["group"] == {"key": "customer_id", "records": "orders"}
    assert lookup["paging"] == {"cursor_at": "meta.next_cursor", "cursor_param": "cursor"}
    assert lookup["max_batch"] == 50
    assert entity["fields"]["placed_at"] == "created_at"
    assert entity["fields"]["total"] == "order_total"
    assert "match_on" not in lookup


def test_a_post_body_with_a_list_of_emails_is_a_batched_lookup() -> None:
    document = _grouped_document()
    document["paths"] = {
        "/orders/search": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "emails": {"type": "array", "items": {"type": "string"}}
                                },
                            }
                        }
                    }
                },
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/CustomerOrders"},
                                }
                            }
                        }
                    }
                },
            }
        }
    }
    document["components"]["schemas"]["CustomerOrders"]["properties"]["email"] = {"type": "string"}
    del document["components"]["schemas"]["CustomerOrders"]["properties"]["customer_id"]
    text = skeleton(parse_document(json.dumps(document), "orders.json"), "orders", DOMAIN)
    lookup = yaml.safe_load(text)["sources"]["orders"]["entities"]["orders"]["lookups"]["email"]
    assert lookup["method"] == "POST"
    assert lookup["json_body"] == {"emails": "{keys}"}
    assert "REVIEW: a POST: check that it only reads" in text
    assert lookup["group"] == {"key": "email", "records": "orders"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json: [", "neither JSON nor YAML"),
        ("[1, 2]", "expected a mapping at the top"),
        ('{"swagger": "2.0", "paths": {}}', "Swagger 2.0 is not supported"),
        ('{"info": {}}', "missing 'openapi: 3.x'"),
        ('{"openapi": "3.0.3", "paths": {}}', "missing 'paths'"),
        (
            '{"openapi": "3.0.3", "paths": {"/x": {"delete": {}}}}',
            "no usable paths: no GET or POST operation",
        ),
        (
            '{"openapi": "3.0.3", "paths": {"/x": {"get": {"responses": {"204": {}}}}}}',
            "no usable paths: no operation answers JSON records",
        ),
    ],
)
def test_an_unusable_document_is_one_line_naming_what_is_missing(text: str, says: str) -> None:
    with pytest.raises(OpenApiError) as caught:
        skeleton(parse_document(text, "doc.json"), "things", DOMAIN)
    message = str(caught.value)
    assert says in message and message.startswith("doc.json: ")
    assert "\n" not in message


def test_records_no_domain_record_fits_are_refused_naming_the_best_fit() -> None:
    document = copy.deepcopy(crm.OPENAPI)
    for path in [p for p in document["paths"] if p.startswith("/contacts")]:
        del document["paths"][path]
    with pytest.raises(OpenApiError, match="no usable paths: accounts: best fit"):
        skeleton(parse_document(json.dumps(document), "crm.json"), "crm", DOMAIN)


def test_scalars_read_back_as_the_same_strings() -> None:
    for value in ("data", "", "{keys}", "yes", "123", "a: b", "#x", "/orders", "http://h:1", "é"):
        assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


def _foreign_world() -> list[tuple[str, dict[str, Any]]]:
    from sources.foreign import billing as f_billing
    from sources.foreign import crm as f_crm
    from sources.foreign import orders as f_orders
    from sources.foreign import support as f_support

    return [
        ("crm", f_crm.OPENAPI),
        ("orders", f_orders.OPENAPI),
        ("billing", f_billing.OPENAPI),
        ("support", f_support.OPENAPI),
    ]


@pytest.mark.parametrize(("name", "openapi"), _foreign_world())
def test_the_foreign_worlds_yaml_keeps_what_the_importer_decided(
    name: str, openapi: dict[str, Any]
) -> None:
    """sources/foreign/sources.yaml was reviewed from the importer's output: where the
    importer wrote a lookup or a field, the reviewed file has the same one."""
    reviewed = yaml.safe_load(Path("sources/foreign/sources.yaml").read_text(encoding="utf-8"))
    document = {**openapi, "servers": [{"url": "http://127.0.0.1:8201"}]}
    text = skeleton(parse_document(json.dumps(document), f"{name}.json"), name, DOMAIN)
    for entity in yaml.safe_load(text)["sources"][name]["entities"].values():
        hand = next(
            e
            for e in reviewed["sources"][name]["entities"].values()
            if e["serves"] == entity["serves"]
        )
        assert entity["fields"] == hand["fields"]
        for kind, lookup in entity["lookups"].items():
            written = hand["lookups"][kind]
            for option in ("path", "query", "match_on", "json_body"):
                assert lookup.get(option) == written.get(option), (kind, option)
            if "group" in lookup:
                assert lookup["group"]["key"] == written["group"]["key"]
                assert lookup["group"]["records"] == written["group"]["records"]
                at = written["group"].get("at", hand.get("records_at", "data"))
                assert entity["records_at"] == at


def _document(paths: dict[str, Any], **extra: Any) -> str:
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://crm.example/api"}],
            "paths": paths,
            **extra,
        }
    )


_INVOICES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "invoice": {"type": "string"},
            "mobile": {"type": "string"},
            "account": {"type": "string"},
            "state": {"type": "string"},
            "updated": {"type": "string", "format": "date"},
            "placed": {"type": "string", "format": "date-time"},
            "amount": {"type": "number"},
        },
    },
}


def _get(parameters: list[Any], answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "parameters": parameters,
            "responses": {"200": {"content": {"application/json": {"schema": answer}}}},
        }
    }


def test_key_formats_filters_and_auth_are_read_from_descriptions_and_schemes() -> None:
    phones = {
        "name": "mobile",
        "in": "query",
        "description": "Mobiles, national digits only, comma-separated.",
        "example": "5035550143",
        "schema": {"type": "string"},
    }
    accounts = {
        "name": "account",
        "in": "query",
        "description": "Accounts, upper case.",
        "schema": {"type": "array", "items": {"type": "string"}},
    }
    since = {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date"}}
    status = {"name": "state", "in": "query", "schema": {"type": "string"}}
    schemes = {
        "securitySchemes": {
            "cc": {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
            }
        }
    }
    text = skeleton(
        parse_document(
            _document(
                {"/invoices": _get([phones, accounts, since, status], _INVOICES)},
                components=schemes,
            ),
            "billing.json",
        ),
        "billing",
        DOMAIN,
    )
    source = yaml.safe_load(text)["sources"]["billing"]
    credentials = source["auth"]["oauth2_client_credentials"]
    assert credentials["token_url"] == "https://crm.example/oauth/token"
    assert credentials["client_secret"] == "${BILLING_CLIENT_SECRET}"
    lookups = source["entities"]["invoices"]["lookups"]
    assert lookups["phone"]["key_format"] == "national"
    assert lookups["phone"]["query"] == {"mobile": "{keys}"}
    assert lookups["phone"]["arguments"] == {
        "since": {"param": "updated_since", "format": "date"},
        "status": "state",
    }
    # The account ids are this system's own: a link lookup, written commented out while
    # the entity has another way in (it needs the customer system's links to be asked).
    link = text[text.index("# link:") :]
    assert '# query: { account: "{keys*}" }' in link and "# key_format: upper" in link
    assert "REVIEW: from security scheme 'cc'" in text


def test_a_bearer_scheme_becomes_a_header_from_an_environment_variable() -> None:
    ids = {"name": "accounts", "in": "query", "schema": {"type": "string"}}
    schemes = {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}}
    text = skeleton(
        parse_document(_document({"/invoices": _get([ids], _INVOICES)}, components=schemes), "x"),
        "ledger",
        DOMAIN,
    )
    headers = yaml.safe_load(text)["sources"]["ledger"]["headers"]
    assert headers == {"Authorization": "Bearer ${LEDGER_TOKEN}"}


_SELF = {"$ref": "#/components/schemas/Self"}


@pytest.mark.parametrize(
    "text",
    [
        _document(
            {"/x": _get([{"name": "ids", "in": "query"}], _SELF)},
            components={"schemas": {"Self": {"allOf": [_SELF], "oneOf": [_SELF]}}},
        ),
        _document(
            {"/x": _get([{"name": "ids", "in": "query"}], {"type": "array", "items": _SELF})},
            components={"schemas": {"Self": {"type": "array", "items": _SELF}}},
        ),
        _document({"/x": {"get": {"parameters": 5, "responses": [1, 2]}}}),
        _document({"/x": _get([{"name": 3}, "ids", None], {"properties": [1]})}),
        _document({"x": _get([{"name": "ids", "in": "query"}], _INVOICES)}),
        _document(
            {
                "/invoices": _get(
                    [
                        {"name": "ids", "in": "query", "schema": {"enum": 3}, "required": True},
                        {"name": "region", "in": "query", "required": True, "example": "eu"},
                    ],
                    _INVOICES,
                )
            },
            servers=[{"url": "ftp://nowhere"}],
        ),
        "[" * 100_000 + "]" * 100_000,
        "a: " + "[" * 50_000 + "]" * 50_000,
    ],
)
def test_a_hostile_document_is_refused_in_one_line_or_imported_as_a_valid_config(
    text: str,
) -> None:
    try:
        written = skeleton(parse_document(text, "hostile.json"), "things", DOMAIN)
    except OpenApiError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("hostile.json: ")
        return
    raw = yaml.safe_load(written)
    assert raw["sources"]["things"]["base_url"] == "${THINGS_URL}"  # no server: the user's to set
    SourcesConfig.model_validate(
        {"sources": {"things": {**raw["sources"]["things"], "base_url": "http://x"}}}
    )


def _target(system: str, parameter: str, *examples: str) -> LinkTarget:
    return LinkTarget(system, parameter, parameter, shapes(examples), None)


def test_a_link_field_names_its_system_by_name_or_by_the_look_of_its_ids() -> None:
    orders = _target("orders", "customer_ids", "oc-48213,oc-51002")
    desk = _target("support", "requester", "u4711,u815")
    ledger = _target("ledger", "customer_numbers", "L-0042")
    targets = [orders, desk, ledger]
    assert resolve("order_customer_id", ["oc-1"], targets)[0] is orders
    assert resolve("order_customer_id", [], targets)[0] is orders  # the name alone
    found, why = resolve("support_user_id", ["u4711"], targets)
    assert found is desk and "look alike ('u9')" in why
    # The name says 'support', but neither the rest nor the ids fit: left to a person.
    found, why = resolve("support_user_id", ["USR-17"], targets)
    assert found is None and "no system given" in why
    # A field naming no given system is no link to any of them.
    assert resolve("web_visitor_id", ["v-1"], targets)[0] is None


def test_a_link_field_two_systems_could_own_is_left_to_a_person() -> None:
    desk = _target("support", "requester", "u4711")
    desk_users = _target("support_user", "ids", "u4711")
    found, why = resolve("support_user_id", ["u4711"], [desk, desk_users])
    assert found is None and "any of: support, support_user" in why


def test_without_a_fitting_system_the_links_stay_commented_with_the_reason() -> None:
    from sources.foreign import crm as f_crm

    document = {**f_crm.OPENAPI, "servers": [{"url": "https://crm.example"}]}
    doc = parse_document(json.dumps(document), "crm.json")
    ledger = _target("ledger", "customer_numbers", "L-0042")
    text = skeleton(doc, "crm", DOMAIN, targets=[ledger])
    contacts = yaml.safe_load(text)["sources"]["crm"]["entities"]["contacts"]
    assert "links" not in contacts
    assert not any(kind.startswith("link:") for kind in contacts["lookups"])
    assert "# order: { from: order_customer_id }  # no system given" in text


def test_full_profiles_in_a_system_of_invoices_are_left_for_a_person_to_decide() -> None:
    """Contacts with names and phones in a billing system would make it a second customer
    system: written commented out, marked for review, while its invoices are mapped."""
    emails = {"name": "emails", "in": "query", "schema": {"type": "string"}}
    contact = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "phone": {"type": "string"},
                "city": {"type": "string"},
            },
        },
    }
    invoice = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "invoice_no": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "amount": {"type": "number"},
                "status": {"type": "string"},
                "issued_on": {"type": "string", "format": "date"},
            },
        },
    }
    paths = {"/invoices": _get([emails], invoice), "/contacts": _get([emails], contact)}
    text = skeleton(parse_document(_document(paths), "billing.json"), "billing", DOMAIN)
    entities = yaml.safe_load(text)["sources"]["billing"]["entities"]
    assert {entity["serves"] for entity in entities.values()} == {"invoices"}
    assert "uncomment only to make it a customer system too" in text
