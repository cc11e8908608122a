"""Server ids: prefix + random base58, every character of the alphabet used evenly."""

from __future__ import annotations

from collections import Counter

from upstash_qstash.server.models import _ALPHABET, new_id


def test_ids_have_prefix_length_and_base58_characters() -> None:
    ids = [new_id("msg_") for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("msg_") and len(i) == 4 + 24 for i in ids)
    assert set("".join(i[4:] for i in ids)) == set(_ALPHABET)
    assert len(new_id("sig_", 28)) == 32


def test_characters_are_spread_evenly() -> None:
    counts = Counter("".join(new_id("", 24) for _ in range(5000)))
    expected = 5000 * 24 / len(_ALPHABET)
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values())
