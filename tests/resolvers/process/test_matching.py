"""Each matching rule, and each case that must never merge two people (pure functions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from resolvers.process.blocking import blocking_keys, soundex
from resolvers.process.candidates import matches_among
from resolvers.process.data_quality import ConflictKind, conflicts
from resolvers.process.identity import people_of
from resolvers.process.matching import (
    MatchSettings,
    comparable,
    contradicts,
    score,
    told_apart,
)
from resolvers.system.records import CrossReference, CustomerProfile

ANN = CustomerProfile(
    "crm",
    "C-1",
    first_name="Ann",
    last_name="Lopez",
    email="ann.lopez@example.com",
    phone="(212) 555-0143",
    street="123 Main St",
    city="Springfield",
    state="IL",
    postal_code="62701",
    birth_date=date(1985, 3, 14),
)
"""Ann as the CRM writes her; the contact book's ``BOOK`` is her too, written its own way."""

BOOK = CustomerProfile(
    "contacts",
    "K-1",
    first_name="ANN",
    last_name="LOPEZ",
    email=" Ann.Lopez@Example.com ",
    phone="+1 212 555 0143",
    street="123 MAIN STREET",
    city="springfield",
    state="il",
    postal_code="62701",
    birth_date=date(1985, 3, 14),
)


def sure(a: CustomerProfile, b: CustomerProfile) -> float:
    return score(comparable(a), comparable(b)).confidence


def test_the_same_person_written_two_ways_is_one_person_on_every_piece_of_evidence() -> None:
    found = score(comparable(ANN), comparable(BOOK))
    assert found.is_match() and found.confidence > 0.999
    assert set(found.matched_on) == {"email", "phone", "name", "birthDate", "address"}
    assert found.contradicted_by == ()


def test_a_cross_reference_the_source_holds_is_certain_whatever_else_differs() -> None:
    stranger = replace(BOOK, first_name="Bob", birth_date=date(1950, 1, 1))
    linked = replace(stranger, links=(CrossReference("crm", "C-1", "contacts.refs.crm"),))
    assert not score(comparable(ANN), comparable(stranger)).is_match()
    found = score(comparable(ANN), comparable(linked))
    assert found.confidence == 1.0 and found.matched_on == ("crossReference",)


def test_swapped_given_and_family_names_still_match_and_say_so() -> None:
    swapped = replace(BOOK, first_name="LOPEZ", last_name="ANN")
    found = score(comparable(ANN), comparable(swapped))
    assert found.is_match() and "nameSwapped" in found.matched_on


def test_a_typo_in_the_surname_and_a_move_still_match_on_email_and_birthday() -> None:
    moved = replace(BOOK, last_name="LOPZE", street="9 OAK AVENUE", postal_code="10001", phone=None)
    found = score(comparable(ANN), comparable(moved))
    assert found.is_match()
    assert "address" in found.contradicted_by


def test_plus_addressing_is_the_same_mailbox_unless_switched_off() -> None:
    tagged = replace(BOOK, email="ann.lopez+shop@example.com", phone=None, birth_date=None)
    assert "email" in score(comparable(ANN), comparable(tagged)).matched_on
    strict = MatchSettings(plus_addressing=False)
    found = score(comparable(ANN, strict), comparable(tagged, strict))
    assert "email" not in found.matched_on


def test_a_household_sharing_phone_address_and_surname_is_never_one_person() -> None:
    housemate = replace(BOOK, id="K-2", first_name="DIEGO", email=None, birth_date=date(1983, 7, 2))
    assert sure(ANN, housemate) < 0.01
    assert contradicts(comparable(ANN), comparable(housemate))


def test_the_phone_alone_is_never_enough() -> None:
    bare = CustomerProfile("contacts", "K-3", phone="212.555.0143")
    assert "phone" in score(comparable(ANN), comparable(bare)).matched_on
    assert not score(comparable(ANN), comparable(bare)).is_match()


def test_a_common_name_alone_is_never_one_person() -> None:
    namesake = CustomerProfile("contacts", "K-4", first_name="ANN", last_name="LOPEZ")
    assert not score(comparable(ANN), comparable(namesake)).is_match()
    elsewhere = replace(
        namesake,
        email="ann77@example.org",
        street="4 ELM LANE",
        postal_code="98101",
        birth_date=date(1990, 1, 1),
    )
    assert sure(ANN, elsewhere) < 0.001


def test_the_same_name_and_birthday_at_another_address_is_someone_who_moved() -> None:
    twin = CustomerProfile(
        "contacts",
        "K-5",
        first_name="ANN",
        last_name="LOPEZ",
        street="4 ELM LANE",
        postal_code="98101",
        birth_date=ANN.birth_date,
    )
    found = score(comparable(ANN), comparable(twin))
    # Both names and the birthday agree: one person, less sure than with a shared contact.
    assert found.is_match() and found.confidence < 0.99
    assert found.contradicted_by == ("address",)
    assert not score(comparable(ANN), comparable(replace(twin, first_name="ANA"))).is_match()


def test_day_and_month_written_the_other_way_round_weigh_less_than_the_same_date() -> None:
    american = replace(BOOK, birth_date=date(1985, 3, 14))
    european = replace(BOOK, email=None, phone=None, birth_date=date(1985, 3, 14).replace(month=3))
    assert sure(ANN, american) >= sure(ANN, european)
    swapped = replace(ANN, birth_date=date(1985, 4, 3))
    transposed = replace(BOOK, email=None, phone=None, birth_date=date(1985, 3, 4))
    assert "birthDate" in score(comparable(swapped), comparable(transposed)).matched_on


def test_records_found_by_one_key_stay_one_person_unless_they_contradict() -> None:
    housemate = replace(BOOK, id="K-2", first_name="DIEGO", birth_date=date(1983, 7, 2))
    person = people_of([ANN, BOOK, housemate], "phone")
    assert person is not None
    assert [p.id for p in person.profiles] == ["C-1", "K-1"]
    [other] = person.candidates
    assert [p.id for p in other.person.profiles] == ["K-2"]
    assert other.confidence < person.lookup_confidence
    sparse = [CustomerProfile("crm", "C-9"), CustomerProfile("crm", "C-9")]
    alone = people_of(sparse, "id")
    assert alone is not None and len(alone.profiles) == 2 and not alone.candidates


def test_records_are_told_apart_on_exactly_what_the_full_score_holds_against_them() -> None:
    """``contradicts`` over ``told_apart`` (names, birthday, national id, links only) says
    what ``score`` over the whole records says, for every pair of the labelled set's
    records that share a postcode: housemates, namesakes, typos, swaps and moves."""
    from bench.identity import labelled_set

    against = {"name", "nameSwapped", "birthDate", "nationalId"}
    labelled = labelled_set(300)
    records = labelled.crm + labelled.book
    by_postcode: dict[str, list[CustomerProfile]] = {}
    for record in records:
        by_postcode.setdefault(record.postal_code or "", []).append(record)
    pairs = told = 0
    for group in by_postcode.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                whole_a, whole_b = comparable(a), comparable(b)
                linked = (b.source, b.id) in whole_a.refs or (a.source, a.id) in whole_b.refs
                held = set(score(whole_a, whole_b).contradicted_by) & against
                expected = bool(held) and not linked
                assert contradicts(told_apart(a), told_apart(b)) is expected, (a, b)
                assert contradicts(whole_a, whole_b) is expected, (a, b)
                pairs += 1
                told += expected
    assert pairs > 500 and 0 < told < pairs


def test_matches_among_candidates_keep_only_the_same_person_best_first() -> None:
    housemate = replace(BOOK, id="K-2", first_name="DIEGO", birth_date=date(1983, 7, 2))
    typo = replace(BOOK, id="K-3", last_name="LOPZE", email=None)
    found = matches_among([ANN], [housemate, typo, BOOK, ANN])
    assert [m.profile.id for m in found] == ["K-1", "K-3"]


def test_blocking_asks_only_the_searches_a_system_declares() -> None:
    assert soundex("Lopez") == soundex("LOPZE") == "L120"
    keys = blocking_keys([ANN], {"postcode", "surname_soundex", "surname", "email"})
    assert keys == {"email": [ANN.email], "postcode": ["62701"], "surname_soundex": ["L120"]}
    assert blocking_keys([ANN], {"surname", "birth_date"}) == {
        "surname": ["lopez"],
        "birth_date": ["1985-03-14"],
    }
    assert blocking_keys([ANN], {"id"}) == {}


@pytest.mark.parametrize(
    ("field", "theirs", "kind"),
    [
        ("street", "123 MAIN STREET", ConflictKind.FORMAT_ONLY),
        ("street", "125 Main St", ConflictKind.REAL),
        ("phone", "+1 212 555 0143", ConflictKind.FORMAT_ONLY),
        ("phone", "(212) 555-0199", ConflictKind.REAL),
        ("email", "ANN.LOPEZ@EXAMPLE.COM", ConflictKind.FORMAT_ONLY),
        ("email", "ann@elsewhere.example", ConflictKind.REAL),
        ("last_name", "LOPEZ", ConflictKind.FORMAT_ONLY),
        ("last_name", "Lopze", ConflictKind.REAL),
        ("birth_date", date(1985, 3, 15), ConflictKind.REAL),
    ],
)
def test_a_conflict_is_real_or_format_only(field: str, theirs: object, kind: ConflictKind) -> None:
    changed: dict[str, Any] = {field: theirs}
    other = replace(ANN, source="contacts", id="K-1", **changed)
    listed = conflicts([ANN, other], include_format_only=True)
    assert [(c.kind, len(c.values)) for c in listed] == [(kind, 2)]
    hidden = conflicts([ANN, other])
    assert len(hidden) == (1 if kind is ConflictKind.REAL else 0)


def test_an_empty_field_is_no_conflict() -> None:
    other = replace(ANN, source="contacts", id="K-1", email=None, phone="", street=None)
    assert conflicts([ANN, other], include_format_only=True) == []


def test_twins_sharing_everything_but_the_given_name_are_two_people() -> None:
    twin = replace(BOOK, id="K-6", first_name="DIEGO", email=None)
    found = score(comparable(ANN), comparable(twin))
    assert not found.is_match() and "name" in found.contradicted_by


def test_short_names_with_two_letters_swapped_are_a_typo_not_another_person() -> None:
    zoe = replace(ANN, first_name="Zoe")
    zeo = replace(BOOK, first_name="ZEO", street="9 OAK AVENUE", postal_code="10001")
    assert score(comparable(zoe), comparable(zeo)).is_match()
    ana, ian = replace(ANN, first_name="Ana"), replace(BOOK, first_name="IAN", email=None)
    assert "name" in score(comparable(ana), comparable(ian)).contradicted_by


def test_a_birthday_one_day_off_is_weak_evidence_for_not_against() -> None:
    slip = replace(BOOK, birth_date=date(1985, 3, 13), phone=None)
    found = score(comparable(ANN), comparable(slip))
    assert found.is_match() and "birthDate" in found.matched_on
    other = replace(BOOK, birth_date=date(1985, 9, 30), phone=None)
    assert "birthDate" in score(comparable(ANN), comparable(other)).contradicted_by


def test_the_same_name_at_the_same_address_is_one_person_without_contacts() -> None:
    card = replace(BOOK, email=None, phone=None, birth_date=None)
    assert score(comparable(ANN), comparable(card)).is_match()


def test_a_system_that_searches_by_the_ids_it_notes_is_asked_for_ours() -> None:
    keys = blocking_keys([ANN], {"link:crm", "link:orders", "postcode"})
    assert keys == {"link:crm": ["C-1"], "postcode": ["62701"]}


def test_two_equally_likely_people_on_one_phone_are_both_listed_and_called_ambiguous() -> None:
    phone = "+15125550142"
    ann = CustomerProfile("crm", "C-1", "Ann", "Lee", phone=phone, birth_date=date(1980, 3, 1))
    bob = CustomerProfile("crm", "C-2", "Bob", "Lee", phone=phone, birth_date=date(1982, 7, 9))
    for records in ([ann, bob], [bob, ann]):
        person = people_of(records, "phone")
        assert person is not None
        [other] = person.candidates
        assert {person.primary.id, other.person.primary.id} == {"C-1", "C-2"}
        assert other.confidence == person.lookup_confidence
        assert person.ambiguous and person.candidates_tied == [True, True]


def test_a_person_with_more_records_on_the_phone_is_not_ambiguous() -> None:
    phone = "+15125550142"
    ann = CustomerProfile("crm", "C-1", "Ann", "Lee", phone=phone, birth_date=date(1980, 3, 1))
    ann_too = replace(ann, source="contacts", id="K-1")
    bob = CustomerProfile("crm", "C-2", "Bob", "Lee", phone=phone, birth_date=date(1982, 7, 9))
    person = people_of([bob, ann, ann_too], "phone")
    assert person is not None and person.primary.id == "C-1"
    [other] = person.candidates
    assert other.confidence < person.lookup_confidence
    assert not person.ambiguous and person.candidates_tied == [False, False]


def test_one_national_id_written_two_ways_is_strong_evidence() -> None:
    # Nothing else in common but a name a typo apart and a birthday a year off: the id carries it.
    crm = replace(ANN, email=None, phone=None, street=None, national_id="123-45-6789")
    book = replace(
        BOOK,
        last_name="LOPZE",
        email=None,
        phone=None,
        street=None,
        postal_code=None,
        birth_date=date(1986, 3, 14),
        national_id="123456789",
    )
    without = score(comparable(replace(crm, national_id=None)), comparable(book))
    found = score(comparable(crm), comparable(book))
    assert found.is_match() and not without.is_match()
    assert found.matched_on[0] == "nationalId"


def test_another_national_id_is_another_person_whatever_else_they_share() -> None:
    # Twins with nearly one given name on one phone, address and birthday: told apart by it.
    noah = replace(ANN, first_name="Noah", national_id="123-45-6789")
    nora = replace(BOOK, first_name="NORA", email=None, national_id="987654321")
    found = score(comparable(noah), comparable(nora))
    assert not found.is_match() and "nationalId" in found.contradicted_by
    assert contradicts(comparable(noah), comparable(replace(nora, source="crm", id="C-2")))
    person = people_of([noah, replace(nora, source="crm", id="C-2")], "phone")
    assert person is not None and len(person.candidates) == 1


def test_a_national_id_written_differently_is_a_format_only_conflict_shown_masked() -> None:
    crm = replace(ANN, national_id="123-45-6789")
    book = replace(BOOK, national_id="123456789")
    assert conflicts([crm, book]) == []
    [found] = [
        c for c in conflicts([crm, book], include_format_only=True) if c.field == "nationalId"
    ]
    assert found.kind is ConflictKind.FORMAT_ONLY
    assert [v.value for v in found.values] == ["•••-••-6789", "•••••6789"]
    [real] = conflicts([crm, replace(book, national_id="123456780")])
    assert (real.field, real.kind) == ("nationalId", ConflictKind.REAL)
    assert "123" not in " ".join(v.value for v in real.values)
