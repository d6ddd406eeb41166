"""Model selection and money, shared by every attribution report: which credit column a model
reads, credited value in exact DECIMAL, and the levels reports group touches by.

Money fields are attributed **cash** only, in the profile's reporting currency (credit times the
conversion's normalized value); `outcome_count` counts attributed conversions of every revenue
type (CHECKLIST §3.6, §9 #15, #17). See docs/analytics.md.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from touchline.analytics.query import Period
from touchline.domain.attribution.settings import DEFAULT_MODEL, Model
from touchline.domain.money import cents
from touchline.errors import InvalidParameter
from touchline.store.schema import CREDIT_MODELS

ZERO: Final = Decimal(0)
CREDIT_SCALE: Final = 12  # decimal places a FLOAT64 credit keeps when it multiplies money
assert {m.value for m in Model} == set(CREDIT_MODELS)


def parse_model(value: str | None = None) -> Model:
    """A `model` parameter (absent or empty → `last_touch`); unknown → `invalid_parameter`."""
    if value is None or value == "":
        return DEFAULT_MODEL
    try:
        return Model(value)
    except ValueError:
        known = ", ".join(m.value for m in Model)
        raise InvalidParameter(
            f"model must be one of {known}; got {value!r}", parameter="model"
        ) from None


class Level(StrEnum):
    """What an attribution report groups credited touches by."""

    CHANNEL = "channel"
    CAMPAIGN = "campaign"
    AD_SET = "ad_set"
    AD = "ad"


def parse_level(value: str | None = None) -> Level:
    """A `level` parameter (absent or empty → `campaign`); unknown → `invalid_parameter`."""
    if value is None or value == "":
        return Level.CAMPAIGN
    try:
        return Level(value)
    except ValueError:
        known = ", ".join(level.value for level in Level)
        raise InvalidParameter(
            f"level must be one of {known}; got {value!r}", parameter="level"
        ) from None


def credit_column(model: Model) -> str:
    """The `credits` column holding `model`'s share (a closed set: never user text)."""
    return CREDIT_MODELS[CREDIT_MODELS.index(model.value)]


def credited(model: Model, *, alias: str = "") -> str:
    """SQL: a credit row's credited value, exact DECIMAL (NULL when its value is unconverted)."""
    prefix = f"{alias}." if alias else ""
    column = credit_column(model)
    return f"CAST({prefix}{column} AS DECIMAL(38, {CREDIT_SCALE})) * {prefix}reporting_value"


# Refunds and chargebacks are negative cash conversions credited with their payment's shares:
# they reduce money but are not outcomes of their own.
REFUND_IDS: Final = (
    "SELECT conversion_id FROM conversions WHERE profile_id = $profile AND refund_of <> ''"
)


def period_params(profile_id: str, period: Period) -> dict[str, Any]:
    """The parameters every period query shares: the profile and the period's UTC bounds."""
    return {"profile": profile_id, "start": period.start, "end": period.end}


def money(value: Any) -> Decimal:
    """A DECIMAL sum from either engine (None when nothing matched) rounded once to cents."""
    return cents(Decimal(value)) if value is not None else cents(ZERO)


def share(value: Any) -> float:
    """A credit-weighted count, with float noise below a millionth rounded away."""
    return round(float(value or 0.0), 6)


def ratio(numerator: Decimal, denominator: Decimal, *, places: int = 2) -> float | None:
    """numerator / denominator rounded once; None when the denominator is not positive."""
    if denominator <= 0:
        return None
    return round(float(numerator / denominator), places)
