"""`POST /keys/rotate` (a new key; the presenting one keeps working for 48 hours) and
`POST /keys/revoke` (the presenting key stops working at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends

from touchline.api.auth import Caller, require_key
from touchline.api.schemas import ApiModel, ProfileEnvelope, ProfileMeta
from touchline.control.repos import api_keys

router = APIRouter(tags=["keys"])
ACTOR = "api"


class RotatedKey(ApiModel):
    id: str
    key: str  # shown once
    prefix: str
    scopes: list[str]
    old_key_id: str
    old_key_expires_at: datetime | None


class RevokedKey(ApiModel):
    id: str
    revoked_at: datetime | None


@router.post("/keys/rotate", response_model=ProfileEnvelope[RotatedKey])
async def rotate(caller: Annotated[Caller, Depends(require_key())]) -> ProfileEnvelope[RotatedKey]:
    """Issue a replacement for the presenting key, shown once. Both work for 48 hours, then
    the old one expires."""

    def run() -> RotatedKey:
        with caller.runtime.database.transaction() as session:
            issued = api_keys.rotate(session, key_id=caller.key.id, actor=ACTOR)
            old = api_keys.get(session, caller.key.id)
        return RotatedKey(
            id=issued.record.id, key=issued.plaintext, prefix=issued.record.prefix,
            scopes=sorted(s.value for s in issued.record.scopes), old_key_id=old.id,
            old_key_expires_at=old.expires_at,
        )  # fmt: skip

    rotated = await anyio.to_thread.run_sync(run)
    return ProfileEnvelope(data=rotated, meta=ProfileMeta(profile_id=caller.profile_id))


@router.post("/keys/revoke", response_model=ProfileEnvelope[RevokedKey])
async def revoke(caller: Annotated[Caller, Depends(require_key())]) -> ProfileEnvelope[RevokedKey]:
    """Revoke the presenting key now (its rotation replacement, if any, keeps working)."""

    def run() -> RevokedKey:
        with caller.runtime.database.transaction() as session:
            api_keys.revoke(session, key_id=caller.key.id, actor=ACTOR)
            record = api_keys.get(session, caller.key.id)
        return RevokedKey(id=record.id, revoked_at=record.revoked_at)

    revoked = await anyio.to_thread.run_sync(run)
    return ProfileEnvelope(data=revoked, meta=ProfileMeta(profile_id=caller.profile_id))
