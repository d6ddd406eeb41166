"""Model and level parameters, credit columns and the money helpers every report shares."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchline.analytics.attribution import (
    Level,
    credit_column,
    credited,
    money,
    parse_level,
    parse_model,
    ratio,
)
from touchline.domain.attribution.settings import Model
from touchline.errors import InvalidParameter
from touchline.store.schema import CREDIT_MODELS


def test_all_eleven_models_parse_and_select_their_credit_column() -> None:
    assert [credit_column(parse_model(m.value)) for m in Model] == list(CREDIT_MODELS)
    assert len(CREDIT_MODELS) == 11
    assert parse_model() is parse_model("") is Model.LAST_TOUCH  # the spec's default


@pytest.mark.parametrize("value", ["magic", "LINEAR", "linear ", "last_touch; DROP TABLE x"])
def test_an_unknown_model_is_an_invalid_parameter_naming_model(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^model must be one of") as raised:
        parse_model(value)
    assert raised.value.details == {"parameter": "model"}


def test_levels_parse_and_unknown_ones_name_the_parameter() -> None:
    assert [parse_level(v) for v in ("channel", "campaign", "ad_set", "ad")] == list(Level)
    assert parse_level() is Level.CAMPAIGN
    with pytest.raises(InvalidParameter, match=r"^level must be one of"):
        parse_level("adset")


def test_credited_value_is_exact_decimal_arithmetic() -> None:
    assert credited(Model.TIME_DECAY, alias="c") == (
        "CAST(c.time_decay AS DECIMAL(38, 12)) * c.reporting_value"
    )


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=4))
def test_money_rounds_once_to_cents(value: Decimal) -> None:
    assert money(value) == value.quantize(Decimal("0.01"))
    assert money(None) == Decimal("0.00")


def test_ratios_have_no_value_without_a_positive_denominator() -> None:
    assert ratio(Decimal(6000), Decimal(2000)) == 3.0
    assert ratio(Decimal(1), Decimal(3)) == 0.33
    assert ratio(Decimal(5), Decimal(0)) is None
