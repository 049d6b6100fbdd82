"""diplo.text.dedupe: MinHash + LSH near-duplicate detection."""

from __future__ import annotations

import numpy as np
import pytest

from diplo.text.dedupe import NUM_PERM, NearDuplicateIndex, minhash_signatures

STORY = ("Iranian Foreign Minister Hossein Amir-Abdollahian met Azerbaijani President Ilham Aliyev in Baku on "
         "Thursday and said the two neighbours would finalize joint projects on transport, energy and trade. "
         "Aliyev said regional issues should be resolved by the countries of the region without foreign "
         "interference, and both sides praised the new chapter in relations between Tehran and Baku. "
         "The ministers also discussed the North-South corridor, the Rasht-Astara railway and a new bridge "
         "over the Astarachai river, and agreed to meet again in Tehran early next year to review progress.")
OTHER = ("Armenia and Georgia signed an agreement on customs cooperation in Tbilisi, and officials said the deal "
         "would cut waiting times at the border for trucks carrying goods to the Black Sea ports of Poti and "
         "Batumi, while a separate memorandum covered tourism, education and cultural exchanges for students.")


def test_signatures_are_deterministic_and_shaped():
    a = minhash_signatures([STORY, OTHER, ""])
    assert a.shape == (3, NUM_PERM) and a.dtype == np.uint32
    assert np.array_equal(a, minhash_signatures([STORY, OTHER, ""]))


def test_identical_edited_and_different_articles():
    edited = STORY.replace("Thursday", "Wednesday").replace("early next year", "in the spring") + " (IRNA)"
    index = NearDuplicateIndex()
    assert index.add(["a", "b"], [STORY, OTHER]) == [None, None]
    # a later chunk: an exact copy, a lightly edited copy, an unrelated text
    assert index.add(["c", "d", "e"], [STORY, edited, OTHER.upper()]) == ["a", "a", "b"]


def test_a_copy_of_a_copy_points_at_the_first():
    index = NearDuplicateIndex()
    assert index.add(["a", "b", "c"], [STORY, STORY + " Extra words here.", STORY]) == [None, "a", "a"]


def test_threshold_controls_what_counts():
    longer = STORY + " " + OTHER  # Jaccard of the shingle sets is about 2/3
    assert NearDuplicateIndex(threshold=0.8).add(["a", "b"], [STORY, longer]) == [None, None]
    assert NearDuplicateIndex(threshold=0.5).add(["a", "b"], [STORY, longer]) == [None, "a"]


@pytest.mark.parametrize("threshold", [0, 1.5, -0.1])
def test_threshold_is_validated(threshold):
    with pytest.raises(ValueError, match="threshold must be in"):
        NearDuplicateIndex(threshold=threshold)


def test_index_grows_past_its_first_allocation():
    index = NearDuplicateIndex()
    texts = [f"Report number {i}: " + " ".join(f"w{i}x{j}" for j in range(12)) for i in range(1500)]
    out = index.add([str(i) for i in range(1500)], texts)
    assert out == [None] * 1500
    assert index.add(["again"], [texts[1234]]) == ["1234"]


def test_signatures_equal_the_one_text_at_a_time_version():
    """The batch computation (all shingles of a chunk at once) against tests/oracles.py."""
    import random

    import oracles

    rng = random.Random(5)
    words = STORY.split() + OTHER.upper().split() + ["Baku's", "U.S.", "\u00c9lys\u00e9e", "stra\u00dfe", "--", "x_y",
                                                    "\u0130stanbul", "7", "\n", "..."]
    texts = ["", "one", "two words", "four words in all", "exactly five words here now", STORY, OTHER,
             " ".join(rng.choice(words) for _ in range(20_000))]  # longer than one block
    texts += [" ".join(rng.choice(words) for _ in range(rng.choice([0, 1, 3, 4, 5, 6, 30, 400])))
              for _ in range(300)]
    for shingle_words in (1, 2, 5):
        expected = oracles.minhash_signatures(texts, shingle_words=shingle_words)
        assert np.array_equal(minhash_signatures(texts, shingle_words=shingle_words), expected)
    assert minhash_signatures([]).shape == (0, NUM_PERM)


def test_signatures_computed_elsewhere_give_the_same_answer():
    texts = [STORY, OTHER, STORY + " (IRNA)"]
    by_text = NearDuplicateIndex().add(["a", "b", "c"], texts)
    by_signature = NearDuplicateIndex().add(["a", "b", "c"], signatures=minhash_signatures(texts))
    assert by_text == by_signature == [None, None, "a"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({}, TypeError, "either texts or signatures"),
    ({"texts": [STORY], "signatures": np.zeros((1, NUM_PERM))}, TypeError, "either texts or signatures"),
    ({"texts": [STORY]}, ValueError, "2 doc_ids but 1 texts"),
    ({"signatures": np.zeros((1, NUM_PERM))}, ValueError, r"signatures of shape \(1, 64\) for 2 doc_ids"),
])
def test_add_validates_its_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        NearDuplicateIndex().add(["a", "b"], **kwargs)


@pytest.mark.parametrize("chunk", [1, 7, 500])
def test_index_equals_the_dict_version(chunk, monkeypatch):
    """Sorted numpy band tables against tests/oracles.py (one dict per band), with signatures drawn from
    few values so bands collide, candidates abound and chains of near-duplicates form."""
    import oracles

    monkeypatch.setattr("diplo.text.dedupe._SIG_BLOCK", 100)  # signatures stored across many blocks
    rng = np.random.default_rng(chunk)
    base = rng.integers(0, 3, size=(40, NUM_PERM), dtype=np.uint32)
    sigs = base[rng.integers(0, 40, size=1500)]
    flip = rng.random(sigs.shape) < 0.15
    sigs[flip] = rng.integers(0, 3, size=int(flip.sum()), dtype=np.uint32)
    ids = [f"d{i}" for i in range(len(sigs))]
    batches = [(ids[lo:lo + chunk], sigs[lo:lo + chunk]) for lo in range(0, len(sigs), chunk)]
    fast = NearDuplicateIndex(threshold=0.85)
    got = [d for batch_ids, batch in batches for d in fast.add(batch_ids, signatures=batch)]
    # the oracle hashes texts: give it the same signatures in place of its hashing step
    slow = oracles.NearDuplicateIndex(threshold=0.85)
    pending = iter(batch for _, batch in batches)
    monkeypatch.setattr(oracles, "_minhash", lambda texts: next(pending))
    expected = [d for batch_ids, _ in batches for d in slow.add(batch_ids, batch_ids)]
    assert got == expected
    assert 300 < sum(d is not None for d in got) < 1400
