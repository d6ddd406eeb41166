"""A contact summary agrees with its own journey, whatever the journey (CHECKLIST §8.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from touchline.domain.contacts import Conversion, Exit, Journey, Session, summarize

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PAGES = st.sampled_from(["https://a.example/", "https://a.example/x", "https://a.example/y"])


@st.composite
def journeys(draw: st.DrawFn) -> Journey:
    starts = sorted(draw(st.lists(st.integers(0, 10**7), max_size=8)))
    sessions, conversions = [], []
    for n, start in enumerate(starts):
        began = T0 + timedelta(seconds=start)
        ended = began + timedelta(seconds=draw(st.integers(0, 3600)))
        converted = None
        if draw(st.booleans()):
            converted = Conversion(f"c{n}", ended, "lead_created", "form", draw(PAGES), None)
            conversions.append(converted)
        gone = None if converted else Exit(draw(PAGES), draw(st.none() | PAGES), ended)
        sessions.append(Session(began, ended, None, None, None, None, None, draw(PAGES),
                                converted, gone))  # fmt: skip
    return Journey(tuple(sessions), tuple(conversions))


@given(journeys())
def test_the_summary_is_derived_from_its_journey(journey: Journey) -> None:
    now = T0 + timedelta(days=400)
    summary = summarize(journey, now=now)
    sessions = journey.sessions
    converting = [s for s in sessions if s.conversion]
    assert summary.total_sessions == len(sessions)
    assert summary.total_conversions == len(journey.conversions) == len(converting)
    assert sum(summary.pages.landing_pages.values()) == len(sessions)
    assert sum(summary.pages.conversion_pages.values()) == len(converting)
    assert sum(summary.pages.exit_pages.values()) == len(sessions) - len(converting)
    assert summary.is_repeat_converter == (len(converting) > 1)
    if not sessions:
        assert summary.conversion_rate_percent is None and summary.first_touch is None
        return
    assert summary.conversion_rate_percent == round(100 * len(converting) / len(sessions), 2)
    assert summary.first_touch == sessions[0] and summary.recent_touch == sessions[-1]
    assert summary.converting_touch == (converting[0] if converting else None)
    mean = sum(s.duration_seconds for s in sessions) / len(sessions)
    assert abs((summary.avg_session_duration_seconds or 0) - mean) <= 0.5
    if len(sessions) > 1:
        span = (sessions[-1].started_at - sessions[0].started_at).total_seconds() / 86400
        # Rounded to two decimals: off by at most half a hundredth, plus the float's own error.
        gap = span / (len(sessions) - 1)
        assert abs((summary.avg_days_between_sessions or 0) - gap) <= 0.005 + 1e-9
    if converting:
        first = converting[0].conversion
        assert first is not None
        assert summary.days_to_convert == (first.at - sessions[0].started_at).days
