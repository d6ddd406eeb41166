"""T11 (API): with 10M events and ~100k conversions loaded, `overview`, `campaigns?level=ad` and
`channels` each at a steady 50 requests/s for 30 s (p95 ≤ 200 ms, 0 errors), and the hot
single-request latency of every analytics endpoint (≤ 150 ms each), against the real server
(`python -m touchline serve` in a subprocess) over HTTP on loopback.

The data is built once per size (cached under bench/.data/) through the real loader in bulk:
bench/datagen.py events for one profile, spooled in large frames and drained by `Loader` with
the after-load steps (sessions, identities, conversions, touches, credits); its `purchase`
events are the conversions (a cash goal). An endpoint the server does not have yet is reported
as missing.

Hot latency is measured twice: with the answer cache off (`TOUCHLINE_ANSWER_CACHE_SECONDS=0`,
every answer computed: the target) and on (a repeat served from the cache, printed beside it).
The load runs with the cache on, twice per endpoint: on static data, and under live ingest (a
tracker posting 20 collect batches a second, so the loader commits about every 0.5 s and every
cached answer goes stale); the harder of the two is the verdict (decision 0997). The loaded
runs write, so they use a scratch copy of the data directory, removed afterwards.

Run alone: `.venv/bin/python -m bench.t11_api [--scale 0.05] [--seconds 30]` (`--quick`:
scale 0.02 and 5 s of load).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import pyarrow as pa

from bench.datagen import DATA_DIR, Spec, generate
from bench.live_ingest import EVENTS_PER_BATCH, Ingest, tracking_key
from bench.result import Goal, Result
from bench.t1_collect import serve_touchline
from bench.t3_loader import BATCH_EVENTS, ndjson_lines
from touchline.control.db import Database
from touchline.control.repos import api_keys, goals, profiles, workspaces
from touchline.domain.keys import Scope
from touchline.ingest.context import ProfileContext
from touchline.ingest.loader import Loader
from touchline.ingest.spool import Spool
from touchline.planes import local_planes
from touchline.processing.after_load import after_load_steps
from touchline.settings import Settings
from touchline.store import open_store
from touchline.store.base import Sql

COVERS = ("T11",)
EVENTS: Final = 10_000_000
DAILY_VISITORS: Final = (30_000,)
TIMEZONE: Final = "America/Mexico_City"
FORMAT_VERSION: Final = 1
DAYS_PER_LOAD: Final = 7  # spool a week, drain it: the spool stays small on disk
ROWS_PER_FRAME: Final = 5_000
RATE: Final = 50  # requests/s
P95_MS: Final = 200.0
HOT_MS: Final = 150.0
HOT_RUNS: Final = 9
CACHE_SECONDS: Final = "TOUCHLINE_ANSWER_CACHE_SECONDS"
LOADED: Final = ("overview", "campaigns?level=ad", "channels")
ANALYTICS: Final = (
    "overview", "timeseries", "channels", "pages", "countries", "devices", "browsers", "os",
    "referrers", "breakdowns?dimensions=channel,country", "campaigns", "campaigns?level=ad",
    "campaigns/trend?entity_ids={campaign_id}", "conversions", "conversions/timeseries",
    "revenue", "revenue/cash", "customers?goal=purchase", "customers/{customer_id}/journey",
    "visitors", "realtime", "keywords", "quality",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Built:
    data_dir: Path
    key: str
    events: int
    conversions: int
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class ProfileSpec(Spec):
    """bench/datagen.py's traffic for one profile of the control plane."""

    profile: str = ""

    @property
    def profile_ids(self) -> list[str]:
        return [self.profile]


def run(quick: bool, large: bool = False, *, scale: float | None = None,
        seconds: float | None = None) -> list[Result]:  # fmt: skip
    del large  # no 100M size for T11
    scale = scale if scale is not None else 0.02 if quick else 1.0
    seconds = seconds if seconds is not None else 5.0 if quick else 30.0
    built = build(int(EVENTS * scale))
    print(f"  T11 data: {built.events:,} events, {built.conversions:,} conversions, "
          f"{built.first}..{built.last}", flush=True)  # fmt: skip
    period = _period(built)
    log = built.data_dir.parent / f"{built.data_dir.name}-server.log"
    with serve_touchline(built.data_dir, log, {CACHE_SECONDS: "0"}) as served:
        uncached = _hot(_base(served.port), built.key, period)
    # The loaded runs write (live ingest): a scratch copy keeps the cached build as it was.
    scratch = built.data_dir.parent / f"{built.data_dir.name}-scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(built.data_dir, scratch)
    try:
        with serve_touchline(scratch, log) as served:
            base = _base(served.port)
            cached = _hot(base, built.key, period)
            loads = _loads(base, built.key, tracking_key(scratch), period, seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return loads + _side_by_side(uncached, cached)


def _base(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/v1"


def _side_by_side(uncached: dict[str, float], cached: dict[str, float]) -> list[Result]:
    """The target is the uncached latency (every answer computed); the cached one (a repeat
    served from the answer cache) is printed beside it, for information."""
    results = []
    for label, ms in uncached.items():
        results.append(Result(f"T11 hot {label}", "ms, cache off (target)", ms, HOT_MS,
                              Goal.AT_MOST))  # fmt: skip
        if label in cached:
            results.append(Result(f"T11 hot {label}", "ms, cache on", cached[label], HOT_MS,
                                  Goal.AT_MOST))  # fmt: skip
    return results


# -- data ----------------------------------------------------------------------------------


def build(events: int) -> Built:
    """The data directory for `events`, built once (a marker file says it is complete)."""
    data_dir = DATA_DIR / f"t11-api-{events}"
    marker = data_dir / "t11.json"
    if marker.exists() and json.loads(marker.read_text())["format"] == FORMAT_VERSION:
        _migrate(data_dir)  # a build from an older release: upgraded before the server starts
        return _built(data_dir, json.loads(marker.read_text()))
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(data_dir=data_dir, database_url="", event_store_url="")
    settings.ensure_data_dir()
    profile, key = _provision(settings)
    spec = ProfileSpec(events=events, daily_visitors=DAILY_VISITORS, profile=profile.profile_id)
    conversions = _load(settings, profile, spec)
    facts = {"format": FORMAT_VERSION, "key": key, "events": events, "conversions": conversions,
             "first": spec.start.isoformat(), "last": spec.end.isoformat()}  # fmt: skip
    marker.write_text(json.dumps(facts))
    return _built(data_dir, facts)


def _migrate(data_dir: Path) -> None:
    with local_planes(Settings(data_dir=data_dir, database_url="", event_store_url="")):
        pass  # both planes migrated on opening


def _built(data_dir: Path, facts: dict[str, Any]) -> Built:
    return Built(data_dir, facts["key"], facts["events"], facts["conversions"],
                 date.fromisoformat(facts["first"]), date.fromisoformat(facts["last"]))  # fmt: skip


def _provision(settings: Settings) -> tuple[ProfileContext, str]:
    """A profile whose `purchase` events are cash conversions, and a key with every scope."""
    database = Database.open(settings)
    database.migrate()
    try:
        with database.transaction() as session:
            workspace = workspaces.create(session, name="T11", actor="bench")
            record = profiles.create(session, workspace_id=workspace.id, name="T11 shop",
                                     timezone=TIMEZONE, actor="bench")  # fmt: skip
            goals.create_goal(session, profile_id=record.id, key="purchase", name="Purchase",
                              source_events=["purchase"], revenue_type="cash")  # fmt: skip
            issued = api_keys.create(session, profile_id=record.id, name="t11", actor="bench",
                                     scopes=[s.value for s in Scope],
                                     rate_limit_per_minute=10**9)  # fmt: skip
    finally:
        database.close()
    return record.context(), issued.plaintext


def _load(settings: Settings, profile: ProfileContext, spec: Spec) -> int:
    """Spool the events a week at a time and drain each week with the real loader."""
    database = Database.open(settings)
    store = open_store(settings.resolved_event_store_url)
    store.migrate()
    steps = after_load_steps(database, {profile.profile_id: profile})
    loader = Loader(spool_dir=settings.spool_dir, store=store, batch_events=BATCH_EVENTS,
                    after_load=steps)  # fmt: skip
    try:
        for week in _weeks(spec):
            _spool(week, settings)
            loader.drain()
        ((conversions,),) = store.query(Sql("SELECT count(*) FROM conversions"))
    finally:
        loader.stop()
        store.close()
        database.close()
    return int(conversions)


def _spool(rows: pa.Table, settings: Settings) -> None:
    """The rows in large frames (a bulk import, not collect's many small durable appends)."""
    lines = ndjson_lines(rows)
    spool = Spool(settings.spool_dir, segment_bytes=settings.spool_segment_bytes)
    try:
        for start in range(0, len(lines), ROWS_PER_FRAME):
            spool.append_blocking(b"".join(lines[start : start + ROWS_PER_FRAME]))
    finally:
        spool.close()


def _weeks(spec: Spec) -> Iterator[pa.Table]:
    days: list[pa.Table] = []
    for day in generate(spec):
        days.append(day)
        if len(days) == DAYS_PER_LOAD:
            yield pa.concat_tables(days)
            days = []
    if days:
        yield pa.concat_tables(days)


def _period(built: Built) -> dict[str, str]:
    """The last 30 full days (the last generated day is cut short)."""
    last = max(built.first, built.last - timedelta(days=1))
    first = max(built.first, last - timedelta(days=29))
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


# -- load ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Load:
    p95_ms: float
    errors: int
    missing: bool = False
    ingested: int = 0  # collect batches accepted during the run
    ingest_failed: int = 0


def _loads(base: str, key: str, tracking: str, period: dict[str, str],
           seconds: float) -> list[Result]:  # fmt: skip
    """Each loaded endpoint on static data, then again under live ingest; the verdict is the
    harder of the two (printed)."""
    collect = base.removesuffix("/api/v1") + "/api/tracking/collect"
    results = []
    for path in LOADED:
        static = _steady(base, key, path, period, seconds, None)
        live = _steady(base, key, path, period, seconds, Ingest(collect, tracking))
        if static.missing:
            print(f"{'T11 ' + path:<34} missing on this server (404)", flush=True)
            continue
        harder = "live ingest" if live.p95_ms >= static.p95_ms else "static"
        print(f"  T11 {path}: live ingest posted {live.ingested:,} batches of "
              f"{EVENTS_PER_BATCH} events ({live.ingest_failed} failed) during the run; "
              f"the verdict is the harder condition: {harder}", flush=True)  # fmt: skip
        for name, load in (("static, cache on", static), ("live ingest, cache on", live)):
            label = f"T11 {path} @{RATE}/s"
            results += [Result(label, f"p95 ms, {name}", load.p95_ms, P95_MS, Goal.AT_MOST),
                        Result(label, f"errors, {name}", load.errors, 0, Goal.AT_MOST)]  # fmt: skip
    return results


def _steady(base: str, key: str, path: str, period: dict[str, str], seconds: float,
            ingest: Ingest | None) -> Load:  # fmt: skip
    """`path` at RATE requests/s for `seconds` (open loop: a request leaves on schedule
    whether or not the earlier ones have answered), with `ingest` posting meanwhile."""
    route, query = _split(path)
    params = {**period, **query}
    timings, statuses = asyncio.run(_open_loop(f"{base}/{route}", key, params, seconds, ingest))
    if set(statuses) == {404}:
        return Load(0.0, 0, missing=True)
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
    errors = sum(status != 200 for status in statuses)
    if ingest is None:
        return Load(p95, errors)
    return Load(p95, errors, ingested=ingest.accepted, ingest_failed=ingest.failed)


async def _open_loop(url: str, key: str, params: dict[str, str], seconds: float,
                     ingest: Ingest | None) -> tuple[list[float], list[int]]:  # fmt: skip
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:
        await client.get(url, params=params)  # warm-up
        feeding = asyncio.create_task(ingest.run(client)) if ingest else None
        if ingest is not None:
            await asyncio.sleep(1.0)  # the loader is committing before the first request
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for index in range(int(RATE * seconds)):
            await asyncio.sleep(max(0.0, start + index / RATE - loop.time()))
            tasks.append(asyncio.create_task(_timed(client, url, params)))
        answers = await asyncio.gather(*tasks)
        if ingest is not None and feeding is not None:
            ingest.stop()
            await feeding
    return [ms for ms, _ in answers], [status for _, status in answers]


async def _timed(client: httpx.AsyncClient, url: str, params: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        status = (await client.get(url, params=params)).status_code
    except httpx.HTTPError:
        status = 0
    return (time.perf_counter() - started) * 1000, status


# -- hot single requests -------------------------------------------------------------------


def _hot(base: str, key: str, period: dict[str, str]) -> dict[str, float]:
    """Every analytics endpoint's median latency over HOT_RUNS sequential calls (after one
    warm-up), by label."""
    found = {}
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as http:
        ids = _ids(http, period)
        for template in ANALYTICS:
            label = template.split("?")[0] if "{" in template else template
            ms = _hot_one(http, template, ids, period, label)
            if ms is not None:
                found[label] = ms
    return found


def _hot_one(http: httpx.Client, template: str, ids: dict[str, str],
             period: dict[str, str], label: str) -> float | None:  # fmt: skip
    try:
        path = template.format_map(ids)
    except KeyError:
        print(f"T11 hot {label:<30} not measured: no id to ask for (its list endpoint is missing)")
        return None
    path, query = _split(path)
    dated = not (path.startswith("realtime") or path.endswith("/journey"))
    params = {**(period if dated else {}), **query}
    first = http.get(path, params=params)
    if first.status_code != 200:
        print(f"T11 hot {label:<30} {_absent(first)}", flush=True)
        return None
    timings = []
    for _ in range(HOT_RUNS):
        started = time.perf_counter()
        http.get(path, params=params).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _split(path: str) -> tuple[str, dict[str, str]]:
    """`campaigns?level=ad` → the route and its own parameters (httpx's `params=` would
    replace a query string left in the URL)."""
    route, _, query = path.partition("?")
    return route, dict(httpx.QueryParams(query))


def _ids(http: httpx.Client, period: dict[str, str]) -> dict[str, str]:
    """A campaign and a customer to ask about, when their list endpoints exist."""
    ids: dict[str, str] = {}
    campaigns = http.get("campaigns", params=period)
    if campaigns.status_code == 200 and campaigns.json()["data"]:
        ids["campaign_id"] = str(campaigns.json()["data"][0]["campaign_id"])
    customers = http.get("customers", params={**period, "goal": "purchase"})
    if customers.status_code == 200 and customers.json()["data"]:
        ids["customer_id"] = str(customers.json()["data"][0]["customer_profile_id"])
    return ids


def _absent(answer: httpx.Response) -> str:
    if answer.status_code == 404:
        return "missing on this server (404)"
    return f"not measured: answered {answer.status_code} {answer.text[:120]}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale", type=float, default=None, help="share of 10M events")
    parser.add_argument("--seconds", type=float, default=None, help="load seconds per endpoint")
    args = parser.parse_args()
    for result in run(args.quick, scale=args.scale, seconds=args.seconds):
        print(result.line())
