"""The demo traffic generator: a clinic website's collect events (with `ip` and `user_agent`),
each calendar day from its own seed, so a day's events are the same whatever window asks for
it and a re-run re-sends identical event ids (which the loader deduplicates)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from touchline.demo import catalog
from touchline.demo.catalog import Arrival, Campaign
from touchline.demo.session import Session, Visitor, session_events
from touchline.ingest.protocol import Consent, RawEvent

T = TypeVar("T")

NEW_VISITORS_PER_DAY = 180
RETURNING_SHARE = 0.3  # returning visits per new visitor
OTHER_DEVICE_SHARE = 0.12  # returning people who come back on their other device
SIGN_IN_SHARE = 0.4  # of those, who sign in to the patient portal there (identify)
BOT_SHARE = 0.02
AI_AGENT_SHARE = 0.01
# Relative traffic per local hour: quiet nights, a late-morning and an evening peak.
HOURLY = (1, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 8, 8, 8, 8, 9, 10, 11, 10, 8, 5, 3)
WEEKDAY = (1.0, 1.05, 1.05, 1.0, 0.9, 0.7, 0.6)
EPOCH = date(2020, 1, 1)


@dataclass(frozen=True, slots=True)
class TrafficPlan:
    """What to generate: `days` local days ending with the one that contains `end`."""

    end: datetime
    days: int = 30
    scale: float = 1.0
    seed: int = 7
    timezone: str = "America/Mexico_City"


def generate(plan: TrafficPlan) -> Iterator[RawEvent]:
    """Every event of the plan, day by day, in time order within a day, none after `end`."""
    zone = ZoneInfo(plan.timezone)
    last_day = plan.end.astimezone(zone).date()
    end_ms = int(plan.end.timestamp() * 1000)
    for offset in range(plan.days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        events = sorted(day_events(plan, day, zone), key=_timestamp)
        yield from (event for event in events if _timestamp(event) <= end_ms)


def day_events(plan: TrafficPlan, day: date, zone: ZoneInfo) -> list[RawEvent]:
    rng = random.Random(f"{plan.seed}/day/{day.isoformat()}/{plan.scale}")
    count = new_visitor_count(plan, day)
    sessions = [_new_visit(plan, rng, day, index) for index in range(count)]
    sessions += [_return_visit(plan, rng, day) for _ in range(round(count * RETURNING_SHARE))]
    sessions += [_bot_visit(rng, catalog.BOT_AGENTS) for _ in range(round(count * BOT_SHARE))]
    sessions += [_bot_visit(rng, catalog.AI_AGENTS) for _ in range(round(count * AI_AGENT_SHARE))]
    events: list[RawEvent] = []
    for session in sessions:
        start_ms = _start_ms(rng, day, zone)
        events += session_events(random.Random(rng.getrandbits(64)), session, start_ms)
    return events


def new_visitor_count(plan: TrafficPlan, day: date) -> int:
    """New visitors on `day`: a weekly rhythm, slow growth and noise; stable per day."""
    rng = random.Random(f"{plan.seed}/count/{day.isoformat()}/{plan.scale}")
    growth = 1.0 + 0.002 * ((day - EPOCH).days % 365)
    noise = rng.uniform(0.85, 1.15)
    return max(
        1, round(NEW_VISITORS_PER_DAY * plan.scale * WEEKDAY[day.weekday()] * growth * noise)
    )


def visitor(seed: int, first_day: date, index: int, device_slot: int = 0) -> Visitor:
    """The person first seen on `first_day` as number `index`, on one of their two devices."""
    person = random.Random(f"{seed}/person/{first_day.isoformat()}/{index}")
    country = _weighted(person, catalog.COUNTRY_WEIGHTS)
    network, _city = person.choice(catalog.NETWORKS[country])
    first, last = person.choice(catalog.FIRST_NAMES), person.choice(catalog.LAST_NAMES)
    number = person.randrange(10_000_000, 99_999_999)
    domain = person.choice(catalog.EMAIL_DOMAINS)
    device_rng = random.Random(f"{seed}/device/{first_day.isoformat()}/{index}/{device_slot}")
    device = _weighted(device_rng, catalog.DEVICE_WEIGHTS)
    return Visitor(
        anonymous_id=str(uuid.UUID(int=device_rng.getrandbits(128), version=4)),
        device=device,
        user_agent=_weighted(device_rng, catalog.AGENTS[device]),
        ip=f"{network}.{device_rng.randrange(2, 254)}",
        country=country,
        first_name=first,
        last_name=last,
        email=f"{_ascii(first)}.{_ascii(last)}{number % 100}@{domain}".lower(),
        phone=f"+52 55 {number // 10_000:04d} {number % 10_000:04d}",
    )


def _new_visit(plan: TrafficPlan, rng: random.Random, day: date, index: int) -> Session:
    person = visitor(plan.seed, day, index)
    arrival = _weighted(rng, [(a, a.weight) for a in catalog.ARRIVALS])
    if arrival.in_app and person.device == "mobile" and rng.random() < 0.7:
        person = person.in_app(catalog.IN_APP_AGENTS[arrival.in_app])
    consent = Consent(analytics=True, marketing=rng.random() < 0.8) if rng.random() < 0.35 else None
    return _session(rng, person, arrival, returning=False, consent=consent)


def _return_visit(plan: TrafficPlan, rng: random.Random, day: date) -> Session:
    back = 1 + min(int(rng.expovariate(1 / 6)), 44)
    first_day = day - timedelta(days=back)
    index = rng.randrange(new_visitor_count(plan, first_day))
    slot = 1 if rng.random() < OTHER_DEVICE_SHARE else 0
    person = visitor(plan.seed, first_day, index, slot)
    arrival = _weighted(rng, [(a, a.weight) for a in catalog.RETURN_ARRIVALS])
    session = _session(rng, person, arrival, returning=True, consent=None)
    # Its own generator, so adding sign-ins left the rest of the day's traffic as it was.
    signs_in = random.Random(f"{plan.seed}/sign-in/{day.isoformat()}/{person.anonymous_id}")
    if slot == 1 and signs_in.random() < SIGN_IN_SHARE:
        return replace(session, signs_in=True)
    return session


def _session(
    rng: random.Random,
    person: Visitor,
    arrival: Arrival,
    *,
    returning: bool,
    consent: Consent | None,
) -> Session:
    campaign: Campaign | None = rng.choice(arrival.campaigns) if arrival.campaigns else None
    landing = campaign.landing if campaign else rng.choice(arrival.landings)
    return Session(
        visitor=person,
        arrival=arrival,
        campaign=campaign,
        landing=landing,
        referrer=rng.choice(arrival.referrers),
        returning=returning,
        consent=consent,
    )


def _bot_visit(rng: random.Random, agents: tuple[str, ...]) -> Session:
    network, _city = rng.choice(catalog.NETWORKS["US"])
    crawler = Visitor(
        anonymous_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        device="desktop",
        user_agent=rng.choice(agents),
        ip=f"{network}.{rng.randrange(2, 254)}",
        country="US",
    )
    direct = next(a for a in catalog.ARRIVALS if a.channel == "Direct")
    landing = rng.choice(catalog.BROWSABLE)
    return Session(crawler, direct, None, landing, "", returning=False, consent=None, bot=True)


def _start_ms(rng: random.Random, day: date, zone: ZoneInfo) -> int:
    hour = rng.choices(range(24), weights=HOURLY)[0]
    local = datetime.combine(day, time(hour), tzinfo=zone)
    second = rng.randrange(3600)
    return int(local.astimezone(UTC).timestamp()) * 1000 + second * 1000 + rng.randrange(1000)


def _weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]


def _timestamp(event: RawEvent) -> int:
    assert isinstance(event.timestamp, int)
    return event.timestamp


def _ascii(name: str) -> str:
    return name.translate(str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN"))
