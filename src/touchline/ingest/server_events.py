"""How connectors' events enter: the same enrichment pipeline and durable spool as the
tracker's, with a server origin (`webhook:stripe`, `sync:meta`) and no client address."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from touchline.ingest.context import ProfileContext
from touchline.ingest.importer import Clock, Importer, ImportReport
from touchline.ingest.pipeline import Pipeline, build_pipeline
from touchline.ingest.protocol import RawEvent
from touchline.ingest.spool import Spool
from touchline.settings import Settings


class SpoolSubmitter:
    """Appends a batch of server events durably; returns once they are in the spool. Events
    that break a payload limit are reported and skipped, the others kept."""

    def __init__(self, *, pipeline: Pipeline, spool: Spool, clock: Clock = time.time) -> None:
        self.pipeline = pipeline
        self.spool = spool
        self.clock = clock

    def __call__(
        self, profile: ProfileContext, origin: str, events: Sequence[RawEvent]
    ) -> ImportReport:
        importer = Importer(
            pipeline=self.pipeline, spool=self.spool, profile=profile, clock=self.clock,
            origin=origin,
        )  # fmt: skip
        return importer.feed(enumerate(events, 1))


@contextmanager
def spool_submitter(settings: Settings) -> Iterator[SpoolSubmitter]:
    """A submitter with its own pipeline and spool writer (the CLI; the server has its own)."""
    settings.ensure_data_dir()
    pipeline = build_pipeline(settings)
    spool = Spool(settings.spool_dir, segment_bytes=settings.spool_segment_bytes)
    try:
        yield SpoolSubmitter(pipeline=pipeline, spool=spool)
    finally:
        spool.close()
        pipeline.close()
