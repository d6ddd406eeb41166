"""T4: CPU per event on the ingest path — decode the collect body, enrich, encode for the spool —
with realistic traffic (UTMs, click ids, referrers, a few dozen user agents, many IPs) and the
user-agent cache warm.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import msgspec
import orjson

from bench.result import Goal, Result
from touchline.ingest.context import ProfileContext, RequestContext
from touchline.ingest.pipeline import Pipeline, build_pipeline, encode_rows
from touchline.ingest.protocol import CollectRequest
from touchline.settings import Settings

EVENTS_PER_VISIT = 5  # one request per visit: the landing page view and what follows it
VISITS_PER_VISITOR = 2
TARGET_US = 15.0
SITE = "https://www.example.com"

USER_AGENT_SHAPES = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{m} Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{m} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.{m} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel {m}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{m} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:12{m}.0) Gecko/20100101 Firefox/12{m}.0",
)
# (weight, landing query, referrer): a believable channel mix; click ids are unique per click.
ARRIVALS = (
    (30, "?utm_source=facebook&utm_medium=paid&utm_campaign=spring_sale&utm_content=ad_{n}"
         "&fbclid=IwAR{click}", "https://l.facebook.com/"),
    (15, "?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=crm%20software"
         "&gclid=Cj0KCQ{click}", "https://www.google.com/"),
    (10, "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly_{n}", ""),
    (20, "", "https://www.google.com/"),
    (10, "", "https://news.ycombinator.com/item?id={n}"),
    (10, "", ""),
    (5, "", "https://checkout.stripe.com/c/pay/cs_live_{click}"),
)  # fmt: skip
PAGES = ("/", "/pricing", "/features", "/blog/post-{n}", "/contact")


def _user_agents() -> list[str]:
    return [shape.format(v=118 + m, m=m) for shape in USER_AGENT_SHAPES for m in range(6)]


def _visit(rng: random.Random, visitor: int, first_id: int, now_ms: int) -> list[object]:
    _, query, referrer = rng.choices(ARRIVALS, weights=[a[0] for a in ARRIVALS])[0]
    n, click = rng.randrange(50), f"{rng.getrandbits(64):x}"
    url = f"{SITE}{rng.choice(PAGES).format(n=n)}{query.format(n=n, click=click)}"
    events: list[object] = []
    for i in range(EVENTS_PER_VISIT):
        event = {
            "event_id": f"evt_{first_id + i}",
            "type": "page_view",
            "anonymous_id": f"anon_{visitor}",
            "session_id": f"ses_{first_id}",
            "timestamp": now_ms - rng.randrange(60_000),
            "url": url,
            "referrer": referrer.format(n=n, click=click),
            "title": "Example page",
        }
        if i % 2:  # engagement reports between page views
            event |= {"type": "engagement", "payload": {"engaged_seconds": rng.randrange(90)}}
        events.append(event)
        referrer, url = url, f"{SITE}{rng.choice(PAGES).format(n=n)}"
    return events


def _public_ip(rng: random.Random) -> str:
    first = rng.choice((81, 177, 200, 8, 5))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _requests(event_count: int) -> list[tuple[bytes, RequestContext]]:
    now_us = time.time_ns() // 1000
    rng = random.Random(7)
    agents = _user_agents()
    profile = ProfileContext("prof_bench", frozenset({"example.com"}))
    visitors = max(1, event_count // (EVENTS_PER_VISIT * VISITS_PER_VISITOR))
    ips = [_public_ip(rng) for _ in range(visitors)]
    requests = []
    for first_id in range(0, event_count, EVENTS_PER_VISIT):
        visitor = rng.randrange(visitors)
        events = _visit(rng, visitor, first_id, now_us // 1000)
        body = orjson.dumps({"tracking_key": "trk_live_bench", "events": events})
        ctx = RequestContext(profile, ips[visitor], agents[visitor % len(agents)], now_us)
        requests.append((body, ctx))
    return requests


def _cpu_us_per_event(pipeline: Pipeline, requests: list[tuple[bytes, RequestContext]]) -> float:
    decode = msgspec.json.Decoder(CollectRequest).decode
    events = 0
    started = time.process_time_ns()
    for body, ctx in requests:
        request = decode(body)
        encode_rows(pipeline.run(request.events, ctx).rows)
        events += len(request.events)
    return (time.process_time_ns() - started) / 1000 / events


def run(quick: bool, large: bool = False) -> list[Result]:
    count = 20_000 if quick else 1_000_000 if large else 200_000
    requests = _requests(count)
    with tempfile.TemporaryDirectory() as data_dir:
        pipeline = build_pipeline(Settings(data_dir=Path(data_dir)))
        try:
            _cpu_us_per_event(pipeline, requests[: len(requests) // 4])  # warm the UA cache
            best = min(_cpu_us_per_event(pipeline, requests) for _ in range(3))
        finally:
            pipeline.close()
    return [Result("T4 ingest CPU per event", "µs/event", best, TARGET_US, Goal.AT_MOST)]


if __name__ == "__main__":
    import sys

    for result in run(quick="--quick" in sys.argv):
        print(result.line())
