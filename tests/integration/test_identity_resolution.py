"""Identity across the two demo customer systems (CRM and contact book), over real HTTP.

Every case is planted by the world's generator with its ground truth
(``world().contact_truth``): the tests read who is who from there, never by id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, world

IDENTITIES = """query($id: ID) { customer(id: $id) {
  id identities { system recordId matchedOn confidence evidence } } }"""


def case(name: str) -> Any:
    return world().contact_truth.case(name)


async def identities_of(gateway_url: str, customer_id: str) -> list[dict[str, Any]]:
    status, body = await graphql(gateway_url, IDENTITIES, {"id": customer_id})
    assert status == 200 and "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["customer"]["identities"]
    return found


def contact_book_keys(identities: list[dict[str, Any]]) -> set[str]:
    return {i["recordId"] for i in identities if i["system"] == "contacts"}


async def test_each_planted_same_person_is_matched_across_both_systems(
    gateway_url: str, demo: DemoSources
) -> None:
    for name in ("swapped_names", "contact_book_typo", "moved_house", "street_spelled_out"):
        [(crm_id, key)] = case(name).same_person
        found = await identities_of(gateway_url, crm_id)
        assert contact_book_keys(found) == {key}, name
        [record] = [i for i in found if i["recordId"] == key]
        assert record["confidence"] >= 0.9, name
        assert "email" in record["evidence"], name


async def test_swapped_given_and_family_names_are_named_as_such(
    gateway_url: str, demo: DemoSources
) -> None:
    [(crm_id, key)] = case("swapped_names").same_person
    found = await identities_of(gateway_url, crm_id)
    [record] = [i for i in found if i["recordId"] == key]
    assert "nameSwapped" in record["evidence"]


async def test_a_plus_addressed_email_is_the_same_mailbox(
    gateway_url: str, demo: DemoSources
) -> None:
    [(crm_id, key)] = case("plus_addressed_email").same_person
    found = await identities_of(gateway_url, crm_id)
    assert key in contact_book_keys(found)


async def test_a_household_sharing_a_phone_is_two_people(
    gateway_url: str, demo: DemoSources
) -> None:
    household = case("household_phone")
    [(crm_id, own_key)] = household.same_person
    [(_, housemate)] = household.different
    found = await identities_of(gateway_url, crm_id)
    assert contact_book_keys(found) == {own_key}
    # Asked by the shared phone: the person with two records is answered, the housemate
    # is listed as a candidate with a lower confidence, never merged.
    query = """query($p: String) { customer(phone: $p) { id matchConfidence
      identities { system recordId }
      candidates { confidence customer { id identities { system recordId } } } } }"""
    _, body = await graphql(gateway_url, query, {"p": contact(crm_id)["phone"]})
    answer = body["data"]["customer"]
    assert answer["id"] == crm_id
    assert {i["recordId"] for i in answer["identities"]} >= {crm_id, own_key}
    assert housemate not in {i["recordId"] for i in answer["identities"]}
    [other] = answer["candidates"]
    assert other["customer"]["id"] == housemate
    assert other["confidence"] < answer["matchConfidence"]


async def test_a_namesake_elsewhere_is_not_the_same_person(
    gateway_url: str, demo: DemoSources
) -> None:
    namesake = case("common_name")
    [(crm_id, own_key)] = namesake.same_person
    [(_, stranger)] = namesake.different
    found = await identities_of(gateway_url, crm_id)
    assert stranger not in contact_book_keys(found)
    assert own_key in contact_book_keys(found)


async def test_any_customer_systems_id_finds_the_person(
    gateway_url: str, demo: DemoSources
) -> None:
    [(crm_id, key)] = case("contact_book_typo").same_person
    _, body = await graphql(
        gateway_url,
        "query($id: ID) { customer(id: $id) { id identities { system recordId } } }",
        {"id": f"contacts:{key}"},
    )
    answer = body["data"]["customer"]
    assert answer["id"] == key
    assert {(i["system"], i["recordId"]) for i in answer["identities"]} >= {
        ("contacts", key),
        ("crm", crm_id),
    }


async def test_data_quality_lists_real_conflicts_and_hides_format_only_ones(
    gateway_url: str, demo: DemoSources
) -> None:
    query = """query($id: ID, $all: Boolean!) { customer(id: $id) {
      dataQuality(includeFormatOnly: $all) { field kind values { system recordId value } } } }"""

    async def conflicts(crm_id: str, include: bool) -> dict[str, str]:
        _, body = await graphql(gateway_url, query, {"id": crm_id, "all": include})
        assert "errors" not in body, body
        return {c["field"]: c["kind"] for c in body["data"]["customer"]["dataQuality"]}

    [(moved, _)] = case("moved_house").same_person
    assert (await conflicts(moved, False)).get("address") == "REAL"
    [(spelled, _)] = case("street_spelled_out").same_person
    assert "address" not in await conflicts(spelled, False)
    everything = await conflicts(spelled, True)
    assert everything["address"] == "FORMAT_ONLY"
    assert everything["name"] == "FORMAT_ONLY"  # "Maria Lopez" and "MARIA LOPEZ"
    [(typo, _)] = case("contact_book_typo").same_person
    assert (await conflicts(typo, False)).get("name") == "REAL"


async def test_search_by_name_and_postcode_ranks_the_person_first(
    gateway_url: str, demo: DemoSources
) -> None:
    [(crm_id, key)] = case("street_spelled_out").same_person
    crm = contact(crm_id)
    query = """query($n: String!, $p: String) { searchCustomers(name: $n, postcode: $p) {
      confidence matchedOn customer { id identities { recordId } } } }"""
    name = f"{crm['first_name']} {crm['last_name']}".upper()
    _, body = await graphql(gateway_url, query, {"n": name, "p": crm["postal_code"]})
    assert "errors" not in body, body
    best = body["data"]["searchCustomers"][0]
    assert best["customer"]["id"] == crm_id
    assert best["confidence"] == 1.0
    assert {i["recordId"] for i in best["customer"]["identities"]} >= {crm_id, key}


async def test_a_search_two_people_fit_equally_lists_both_and_says_it_is_ambiguous(
    gateway_url: str, demo: DemoSources
) -> None:
    # Two CRM customers of one surname and postcode (namesakes of a street), searched by
    # the surname alone: nothing tells them apart, so neither may be picked.
    by_place: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for crm in world().contacts:
        by_place.setdefault((crm["last_name"], crm["postal_code"]), []).append(crm)
    pairs = [p for p in by_place.values() if len({c["first_name"] for c in p}) == len(p) == 2]
    assert pairs, "the demo world has namesakes in one postcode"
    query = """query($n: String!, $p: String) { searchCustomers(name: $n, postcode: $p) {
      confidence ambiguous customer { id ambiguous } } }"""
    for pair in pairs[:3]:
        surname, postcode = pair[0]["last_name"], pair[0]["postal_code"]
        _, body = await graphql(gateway_url, query, {"n": surname, "p": postcode})
        assert "errors" not in body, body
        found = body["data"]["searchCustomers"]
        listed = {r["customer"]["id"]: r for r in found}
        first, second = (listed[c["id"]] for c in pair)
        assert first["confidence"] == second["confidence"] == found[0]["confidence"]
        assert first["ambiguous"] and second["ambiguous"]
        for result in found:  # a result that fits better or worse than any other is not
            alike = [r for r in found if r["confidence"] == result["confidence"]]
            assert result["ambiguous"] == (len(alike) > 1), result


async def test_one_national_id_written_two_ways_is_evidence_and_a_format_only_difference(
    gateway_url: str, demo: DemoSources
) -> None:
    # The CRM writes 123-45-6789, the contact book 123456789 (where it noted one).
    query = """query($id: ID) { customer(id: $id) { identities { recordId evidence }
      dataQuality(includeFormatOnly: true) { field kind values { system value } } } }"""
    book = {r["key"]: r for r in world().contact_book}
    checked = 0
    for name in ("swapped_names", "contact_book_typo", "moved_house", "street_spelled_out"):
        [(crm_id, key)] = case(name).same_person
        noted = book[key]["ids"]["ssn"]
        _, body = await graphql(gateway_url, query, {"id": crm_id})
        answer = body["data"]["customer"]
        [record] = [i for i in answer["identities"] if i["recordId"] == key]
        assert ("nationalId" in record["evidence"]) == bool(noted), name
        ids = [c for c in answer["dataQuality"] if c["field"] == "nationalId"]
        if noted:
            checked += 1
            [conflict] = ids
            assert conflict["kind"] == "FORMAT_ONLY"
            assert {v["value"] for v in conflict["values"]} == {
                f"•••-••-{noted[-4:]}",
                f"•••••{noted[-4:]}",
            }
        else:
            assert ids == [], name
    assert checked, "the contact book noted the national id of some planted case"


async def test_a_malformed_email_is_an_input_error_on_that_argument(
    gateway_url: str, demo: DemoSources
) -> None:
    for email in ("ann@", "@example.com", "ann@example"):
        _, body = await graphql(
            gateway_url, "query($e: String) { customer(email: $e) { id } }", {"e": email}
        )
        [error] = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "email"}, email


async def test_fields_that_need_no_match_cost_no_search(
    gateway_url: str, demo: DemoSources
) -> None:
    [(crm_id, _)] = case("moved_house").same_person
    await demo.reset()
    _, body = await graphql(
        gateway_url, "query($id: ID) { customer(id: $id) { id name } }", {"id": crm_id}
    )
    assert body["data"]["customer"]["id"] == crm_id
    stats = await demo.stats()
    # One id lookup each (a plain id may be either system's), no search.
    assert stats["crm"] == 1 and stats["contacts"] == 1
    await demo.reset()
    await graphql(gateway_url, IDENTITIES, {"id": crm_id})
    stats = await demo.stats()
    assert stats["contacts"] > 1, "identities search the contact book"


async def test_identities_of_twenty_customers_cost_one_request_per_search_per_system(
    gateway_url: str, demo: DemoSources
) -> None:
    ids = [c["id"] for c in world().contacts[100:120]]
    query = """query($ids: [ID!]!) { customers(ids: $ids) {
      id identities { system recordId } dataQuality { field kind } } }"""
    await demo.reset()
    _, body = await graphql(gateway_url, query, {"ids": ids})
    assert "errors" not in body, body
    customers = body["data"]["customers"]
    truth = world().contact_truth.person_of_key
    in_book = [c for c in customers if any(i["system"] == "contacts" for i in c["identities"])]
    assert len(in_book) >= 12  # most CRM people are in the contact book too
    for customer in customers:
        index = int(customer["id"][2:]) - 10001
        expected = {key for key, person in truth.items() if person == index}
        found = {i["recordId"] for i in customer["identities"] if i["system"] == "contacts"}
        assert found == expected, customer["id"]
    stats = await demo.stats()
    # By id (a plain id may be either system's), then the searches each system declares,
    # every customer's keys in one request per search: crm email, phone, postcode,
    # surname, birth_date; the contact book's email, phone, postcode, surname_soundex and
    # link:crm (the people noting these CRM ids).
    assert stats["crm"] == 6 and stats["contacts"] == 6, stats


async def test_a_dead_contact_book_costs_only_the_fields_that_need_it(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    [(crm_id, _)] = case("moved_house").same_person
    await demo.knobs("contacts", mode="error")
    query = """query($p: String) { customer(phone: $p) { id name identities { recordId }
      dataQuality { field } } }"""
    _, body = await graphql(url, query, {"p": contact(crm_id)["phone"]})
    answer = body["data"]["customer"]
    # The CRM found the caller: the lookup stands; what needs the contact book fails, named.
    assert answer["id"] == crm_id and answer["name"]
    assert answer["identities"] is None and answer["dataQuality"] is None
    paths = sorted(tuple(e["path"]) for e in body["errors"])
    assert paths == [("customer", "dataQuality"), ("customer", "identities")]
    assert {e["extensions"]["source"] for e in body["errors"]} == {"contacts"}
