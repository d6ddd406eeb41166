"""A small keep-alive HTTP/1.1 load generator: wrk's stand-in when wrk is not installed.

`python -m bench.load --port P --key K --events N --seconds S` posts collect bodies shaped like
bench/collect.lua's over C raw sockets and prints the same `RESULT {...}` line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import orjson

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
HEAD = (
    "POST /api/tracking/collect HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: text/plain;charset=UTF-8\r\nOrigin: https://shop.example.com\r\n"
    f"User-Agent: {USER_AGENT}\r\nContent-Length: %d\r\n\r\n"
)


@dataclass
class Tally:
    latencies_us: list[int] = field(default_factory=list)
    status_errors: int = 0
    read_errors: int = 0
    connect_errors: int = 0


@dataclass
class Bodies:
    key: str
    per_request: int
    run: str
    counter: int = 0

    def next(self) -> bytes:
        self.counter += 1
        now, visitor = int(time.time()) * 1000, self.counter % 5000
        events = [
            {
                "event_id": f"{self.run}-{self.counter}-{i}",
                "type": "page_view",
                "anonymous_id": f"v-{self.run}-{visitor}",
                "session_id": f"s-{self.run}-{visitor}",
                "timestamp": now,
                "url": f"https://shop.example.com/products/{i}?utm_source=google&utm_medium=cpc"
                f"&utm_campaign=spring&gclid=Cj0KCQ{self.counter}",
                "referrer": "https://www.google.com/",
                "title": f"Product {i} - Example Shop",
            }
            for i in range(1, self.per_request + 1)
        ]
        return orjson.dumps({"tracking_key": self.key, "events": events})


async def one_connection(port: int, bodies: Bodies, deadline: float, tally: Tally) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        tally.connect_errors += 1
        return
    try:
        while time.perf_counter() < deadline:
            body = bodies.next()
            started = time.perf_counter()
            writer.write((HEAD % len(body)).encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(content_length(head))
            tally.latencies_us.append(int((time.perf_counter() - started) * 1e6))
            if head[9:10] != b"2":
                tally.status_errors += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        tally.read_errors += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    return 0


def percentile(values: list[int], share: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def drive(args: argparse.Namespace) -> dict[str, int]:
    bodies, tally = Bodies(args.key, args.events, args.run), Tally()
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(one_connection(args.port, bodies, deadline, tally) for _ in range(args.connections))
    )
    return {
        "requests": len(tally.latencies_us),
        "duration_us": int((time.perf_counter() - started) * 1e6),
        "connect": tally.connect_errors,
        "read": tally.read_errors,
        "write": 0,
        "status": tally.status_errors,
        "timeout": 0,
        "p50_us": percentile(tally.latencies_us, 0.50),
        "p99_us": percentile(tally.latencies_us, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--events", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--run", default="load")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        result = asyncio.run(drive(args))
    else:
        result = uvloop.run(drive(args))
    print("RESULT " + orjson.dumps(result).decode(), flush=True)


if __name__ == "__main__":
    main()
