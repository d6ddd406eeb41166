"""Markov removal effects and Shapley values on small chains with known answers."""

from __future__ import annotations

import pytest
from hypothesis import given
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
