"""The matcher stays above the accuracy targets on a small labelled set (bench/identity.py's)."""

from __future__ import annotations

from bench.identity import TARGET_PRECISION, TARGET_RECALL, accuracy, labelled_set


def test_a_small_labelled_set_is_matched_above_the_targets() -> None:
    result = accuracy(500)
    crm, book = result.records
    assert crm > 500 and book > 500 and result.true_pairs > 450
    assert result.precision >= TARGET_PRECISION, result.false_positives
    assert result.recall >= TARGET_RECALL, result.false_negatives


def test_both_shapes_are_mapped_by_the_demo_yaml() -> None:
    labelled = labelled_set(100, traps=5)
    book = labelled.book
    # The contact book writes DD/MM/YYYY and shouts: the YAML's mapping reads both.
    assert all(p.source == "contacts" and p.id.startswith("K-") for p in book)
    assert sum(p.birth_date is not None for p in book) > 0.9 * len(book)
    assert all(p.last_name is not None and p.last_name.isupper() for p in book)
    assert all(p.birth_date is not None for p in labelled.crm)
    # Housemates and namesakes are in the set, with no true pair of their own.
    matched_keys = {key for _, key in labelled.truth}
    assert len(book) - len(matched_keys) >= 10
