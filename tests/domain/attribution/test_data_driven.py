"""Markov removal effects and Shapley values on small chains with known answers."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchline.domain.attribution.markov import markov_weights
from touchline.domain.attribution.shapley import shapley_weights


def test_a_channel_every_conversion_needs_has_removal_effect_one() -> None:
    fit = markov_weights({("A", "B"): (10, 0), ("A",): (0, 10)})
    # Without A nothing converts; without B nothing converts either.
    assert fit.removal_effects == pytest.approx({"A": 1.0, "B": 1.0})
    assert fit.weights == pytest.approx({"A": 0.5, "B": 0.5})
    assert fit.conversion_probability == pytest.approx(0.5)


def test_an_independent_path_keeps_conversions_when_another_channel_goes() -> None:
    fit = markov_weights({("A",): (1, 1), ("B",): (1, 1)})
    assert fit.removal_effects == pytest.approx({"A": 0.5, "B": 0.5})


def test_shapley_splits_each_paths_conversions_among_its_distinct_channels() -> None:
    weights = shapley_weights({("A", "B", "A"): (2, 5), ("A",): (2, 0)})
    assert weights == pytest.approx({"A": 3 / 4, "B": 1 / 4})


paths = st.dictionaries(
    st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=6).map(tuple),
    st.tuples(st.integers(0, 50), st.integers(0, 50)),
    max_size=25,
)


@given(paths=paths)
def test_fitted_weights_are_a_distribution(paths: dict[tuple[str, ...], tuple[int, int]]) -> None:
    for weights in (markov_weights(paths).weights, shapley_weights(paths)):
        assert all(w >= 0 for w in weights.values())
        if any(w > 0 for w in weights.values()):
            assert sum(weights.values()) == pytest.approx(1.0)


def test_removal_effects_of_a_chain_solved_by_hand() -> None:
    # start → A or B (½ each), A → B, B converts half of the time: P(conversion) = ½.
    # Without A: only start → B → conversion remains, ¼ (effect ½); without B nothing (1).
    fit = markov_weights({("A", "B"): (1, 0), ("B",): (0, 1)})
    assert fit.conversion_probability == pytest.approx(0.5)
    assert fit.removal_effects == pytest.approx({"A": 0.5, "B": 1.0})
    assert fit.weights == pytest.approx({"A": 1 / 3, "B": 2 / 3})


def test_repeating_a_channel_does_not_change_its_removal_effect() -> None:
    """ChannelAttribution drops self-transitions; in an absorbing chain they only slow a walk
    down, so the exact solution is the same with or without them."""
    repeated = markov_weights({("A", "A", "B"): (3, 1), ("B", "B", "B"): (1, 2), ("A",): (0, 4)})
    collapsed = markov_weights({("A", "B"): (3, 1), ("B",): (1, 2), ("A",): (0, 4)})
    assert repeated.removal_effects == pytest.approx(collapsed.removal_effects)
    assert repeated.conversion_probability == pytest.approx(collapsed.conversion_probability)


def test_paths_nobody_followed_and_empty_paths_are_ignored() -> None:
    assert markov_weights({}) == markov_weights({(): (5, 5), ("A",): (0, 0)})
    assert markov_weights({}).weights == {} and shapley_weights({("A",): (0, 3)}) == {}
    assert markov_weights({("A",): (0, 0), ("B",): (2, 1)}).weights == {"B": 1.0}


def brute_force_shapley(paths: dict[tuple[str, ...], tuple[int, int]]) -> dict[str, float]:
    """Shapley values of v(S) = conversions of paths whose channels all lie in S, by the
    textbook sum over every coalition."""
    players = sorted({c for path, (conv, _) in paths.items() for c in path if conv > 0})
    n = len(players)

    def value(coalition: frozenset[str]) -> int:
        return sum(conv for path, (conv, _) in paths.items() if path and set(path) <= coalition)

    phi = dict.fromkeys(players, 0.0)
    for player in players:
        others = [p for p in players if p != player]
        for size in range(n):
            scale = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for members in itertools.combinations(others, size):
                coalition = frozenset(members)
                phi[player] += scale * (value(coalition | {player}) - value(coalition))
    total = sum(phi.values())
    return {p: v / total for p, v in phi.items()} if total > 0 else {}


small_paths = st.dictionaries(
    st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=5).map(tuple),
    st.tuples(st.integers(0, 20), st.integers(0, 20)),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(paths=small_paths)
def test_shapley_equals_the_textbook_sum_over_coalitions(
    paths: dict[tuple[str, ...], tuple[int, int]],
) -> None:
    assert shapley_weights(paths) == pytest.approx(brute_force_shapley(paths))
