"""Windows: exact durations (CHECKLIST §9 #61), view-through only for impressions (§9 #28)."""

from __future__ import annotations

from datetime import UTC, datetime

from touchline.domain.attribution.models import credits
from touchline.domain.attribution.settings import AttributionSettings, Model
from touchline.domain.attribution.touches import IMPRESSION, Touch
from touchline.domain.attribution.windows import eligible, window_tests

HOUR = 3_600_000_000
DAY = 24 * HOUR


def us(year: int, month: int, day: int, hour: int) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp() * 1_000_000)


CLICK = Touch(us(2026, 3, 1, 10), "Paid Social", key=1)
SETTINGS = AttributionSettings()


def test_the_spec_examples_mar_25_and_mar_28_count_apr_5_does_not() -> None:
    for day in (25, 28):
        assert eligible([CLICK], us(2026, 3, day, 10), SETTINGS, model=Model.LAST_TOUCH) == [CLICK]
    assert eligible([CLICK], us(2026, 4, 5, 10), SETTINGS, model=Model.LAST_TOUCH) == []


def test_the_limit_is_an_exact_duration() -> None:
    at_limit = CLICK.ts_us + 30 * DAY
    assert eligible([CLICK], at_limit, SETTINGS, model=Model.LINEAR) == [CLICK]
    assert eligible([CLICK], at_limit + 1, SETTINGS, model=Model.LINEAR) == []
    assert eligible([CLICK], CLICK.ts_us - 1, SETTINGS, model=Model.LINEAR) == []


def test_first_touch_looks_back_over_its_own_window() -> None:
    sixty_days_later = CLICK.ts_us + 60 * DAY
    assert credits(Model.FIRST_TOUCH, [CLICK], sixty_days_later, SETTINGS) == [1.0]
    assert credits(Model.LAST_TOUCH, [CLICK], sixty_days_later, SETTINGS) == []


def test_impressions_only_count_within_the_view_through_window() -> None:
    seen = Touch(CLICK.ts_us, "Paid Social", touch_type=IMPRESSION, key=2)
    assert eligible([seen], seen.ts_us + 24 * HOUR, SETTINGS, model=Model.LAST_TOUCH) == [seen]
    later = seen.ts_us + 25 * HOUR
    assert eligible([seen], later, SETTINGS, model=Model.FIRST_TOUCH) == []
    [test] = window_tests([seen], later, SETTINGS, model=Model.LAST_TOUCH)
    assert (test.window, test.in_window) == ("view", False)
