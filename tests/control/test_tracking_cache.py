"""The TTL cache in front of tracking-key resolution."""

from __future__ import annotations

import threading

from touchline.control.db import Database
from touchline.control.repos import tracking_keys
from touchline.control.repos.profiles import ProfileRecord
from touchline.control.tracking_cache import TrackingKeyCache, tracking_key_cache
from touchline.ingest.context import ProfileContext

KEY = "trk_live_abcdefgh12345678"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingLoader:
    def __init__(self, answers: dict[str, ProfileContext]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, key: str) -> ProfileContext | None:
        self.calls.append(key)
        return self.answers.get(key)


def test_hits_within_the_ttl_do_not_reload() -> None:
    clock, loader = FakeClock(), CountingLoader({KEY: ProfileContext(profile_id="p1")})
    cache = TrackingKeyCache(load=loader, ttl_seconds=5, clock=clock)
    assert cache.resolve(KEY) == ProfileContext(profile_id="p1")
    clock.now += 4.9
    assert cache.resolve(KEY) == ProfileContext(profile_id="p1")
    assert loader.calls == [KEY]


def test_entries_expire_after_the_ttl() -> None:
    clock, loader = FakeClock(), CountingLoader({KEY: ProfileContext(profile_id="p1")})
    cache = TrackingKeyCache(load=loader, ttl_seconds=5, clock=clock)
    cache.resolve(KEY)
    loader.answers.clear()  # revoked meanwhile
    clock.now += 5
    assert cache.resolve(KEY) is None
    assert loader.calls == [KEY, KEY]


def test_unknown_keys_are_cached_and_malformed_ones_never_loaded() -> None:
    loader = CountingLoader({})
    cache = TrackingKeyCache(load=loader, clock=FakeClock())
    assert cache.resolve("trk_live_unknown123") is None
    assert cache.resolve("trk_live_unknown123") is None
    assert cache.resolve("not a key") is None
    assert cache.resolve("") is None
    assert loader.calls == ["trk_live_unknown123"]


def test_size_is_bounded_oldest_first() -> None:
    loader = CountingLoader({})
    cache = TrackingKeyCache(load=loader, max_entries=3, clock=FakeClock())
    for n in range(5):
        cache.resolve(f"trk_live_key{n:08d}")
    cache.resolve("trk_live_key00004")
    cache.resolve("trk_live_key00000")
    assert loader.calls[-1] == "trk_live_key00000"
    assert loader.calls.count("trk_live_key00004") == 1


def test_invalidate_forces_a_reload() -> None:
    loader = CountingLoader({KEY: ProfileContext(profile_id="p1")})
    cache = TrackingKeyCache(load=loader, clock=FakeClock())
    cache.resolve(KEY)
    cache.invalidate(KEY)
    cache.resolve(KEY)
    cache.invalidate()
    cache.resolve(KEY)
    assert loader.calls == [KEY, KEY, KEY]


def test_is_safe_under_concurrent_use() -> None:
    loader = CountingLoader({KEY: ProfileContext(profile_id="p1")})
    cache = TrackingKeyCache(load=loader, max_entries=50)
    results: list[ProfileContext | None] = []

    def work(n: int) -> None:
        for i in range(200):
            cache.resolve(f"trk_live_k{n}x{i:06d}")
            results.append(cache.resolve(KEY))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [ProfileContext(profile_id="p1")] * 800


def test_revocation_takes_effect_once_the_ttl_passes(
    database: Database, profile: ProfileRecord
) -> None:
    with database.transaction() as session:
        record = tracking_keys.create(session, profile_id=profile.id, actor="test")
    cache = tracking_key_cache(database, ttl_seconds=0.05)
    assert cache.resolve(record.key) == profile.context()
    with database.transaction() as session:
        tracking_keys.revoke(session, key_id=record.id, actor="test")
    threading.Event().wait(0.06)
    assert cache.resolve(record.key) is None
