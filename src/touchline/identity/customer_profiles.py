"""The customer profiles API's jobs that touch the event plane, each built for the store's one
writer (the loader thread: `runtime.loader.submit(job)`), and its unmerge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from touchline.control.db import Database
from touchline.control.models.customer import IdentityMerge
from touchline.control.repos import audit, customers
from touchline.errors import NotFound
from touchline.identity.erase import erase
from touchline.identity.graph import next_identifier_version
from touchline.identity.graph import unmerge as undo_merge
from touchline.identity.mirror import sync_identity_map
from touchline.identity.profiles import ProfileFields, Written, next_version, update, upsert
from touchline.ingest.context import ProfileContext
from touchline.processing.conversions import reconvert
from touchline.processing.credits import update_credits
from touchline.processing.erasure import Scrubbed
from touchline.store.base import EventStore

ACTOR = "api"


def upsert_customer(database: Database, profile: ProfileContext, fields: ProfileFields) -> Written:
    """`POST /customer-profiles`: create or upsert in one control-plane transaction."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        return upsert(
            session, profile_id=profile.profile_id, fields=fields,
            phone_region=profile.phone_region, now=now, version=next_version(session, now),
        )  # fmt: skip


def update_customer(
    database: Database, profile: ProfileContext, reference: str, fields: ProfileFields
) -> str:
    """`PATCH /customer-profiles/{id}`: the fields given, in one transaction; the id changed."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        return update(
            session, profile_id=profile.profile_id, reference=reference, fields=fields,
            phone_region=profile.phone_region, now=now, version=next_version(session, now),
        )  # fmt: skip


def settle_on_writer(database: Database, profile: ProfileContext) -> Callable[[EventStore], int]:
    """Mirror identity changes to the event plane and credit what they changed, now rather
    than on the loader's next tick (so the answer after a write already shows it)."""

    def job(store: EventStore) -> int:
        mirrored = sync_identity_map(database=database, store=store)
        if mirrored:
            update_credits(store=store, profiles={profile.profile_id: profile})
        return mirrored

    return job


def erase_on_writer(
    database: Database, profile: ProfileContext, customer_id: str
) -> Callable[[EventStore], Scrubbed]:
    def job(store: EventStore) -> Scrubbed:
        return erase(database=database, store=store, profile=profile, reference=customer_id)

    return job


def recalculate_on_writer(
    database: Database, profile: ProfileContext
) -> Callable[[EventStore], int]:
    """Pending identity changes, conversions re-valued at today's rates, credits for what
    changed; returns the conversions re-valued."""

    def job(store: EventStore) -> int:
        sync_identity_map(database=database, store=store)
        revalued = reconvert(database=database, store=store, profile=profile)
        update_credits(store=store, profiles={profile.profile_id: profile})
        return revalued

    return job


def unmerge_for(
    database: Database, profile_id: str, reference: str, merge_id: str
) -> IdentityMerge:
    """Undo `merge_id` if the customer `reference` names took part in it (else not_found)."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        record = customers.by_reference(session, profile_id=profile_id, reference=reference)
        merge = session.get(IdentityMerge, merge_id)
        if (
            merge is None
            or merge.profile_id != profile_id
            or record.id
            not in {
                _live(session, profile_id, merge.winner_id),
                _live(session, profile_id, merge.loser_id),
            }
        ):
            raise NotFound("no such merge of this customer profile")
        version = next_identifier_version(session, int(now.timestamp() * 1_000_000))
        done = undo_merge(session, merge_id, now=now, version=version)
        audit.record(
            session, actor=ACTOR, action=audit.AuditAction.IDENTITY_UNMERGED,
            target_type="identity_merge", target_id=done.id, workspace_id=None,
            details={"winner": done.winner_id, "loser": done.loser_id}, now=now,
        )  # fmt: skip
        return done


def _live(session: Session, profile_id: str, customer_id: str) -> str | None:
    """The live customer `customer_id` is (or was merged into), if any."""
    try:
        return customers.by_reference(session, profile_id=profile_id, reference=customer_id).id
    except NotFound:
        return None
