"""Secrets at rest: connection credentials are Fernet-encrypted (AES-128-CBC + HMAC-SHA256)
with a key from `TOUCHLINE_SECRET_KEY`, or one generated once into the data directory."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import orjson
from cryptography.fernet import Fernet, InvalidToken

from touchline.errors import TouchlineError
from touchline.settings import Settings

KEY_FILE: Final = "secret.key"


class SecretsUnreadable(TouchlineError):
    """Stored secrets do not open with this key (the key changed or the data is damaged)."""

    code = "secrets_unreadable"
    status = 500
    exit_code = 1


class SecretBox:
    """Encrypts a mapping of secrets to one token and back."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        if settings.secret_key:
            return cls(derive_key(settings.secret_key))
        return cls(_key_file(settings.data_dir))

    def seal(self, secrets: Mapping[str, str]) -> str:
        if not secrets:
            return ""
        return self._fernet.encrypt(orjson.dumps(dict(secrets))).decode()

    def open(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        try:
            opened = orjson.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, orjson.JSONDecodeError):
            raise SecretsUnreadable(
                "connection secrets cannot be decrypted: TOUCHLINE_SECRET_KEY differs from the "
                "key they were stored with"
            ) from None
        return {str(k): str(v) for k, v in opened.items()}


def derive_key(secret: str) -> bytes:
    """A Fernet key from any passphrase (a Fernet key itself is used as is)."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


def _key_file(data_dir: Path) -> bytes:
    """The data directory's key, created owner-only on first use (exclusive create: two
    processes starting at once agree on one key)."""
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = Fernet.generate_key()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _read_key(path: Path) -> bytes:
    """Another process may have created the file a moment ago and not written it yet."""
    for _ in range(100):
        key = path.read_bytes().strip()
        if key:
            return key
        time.sleep(0.01)
    raise SecretsUnreadable(f"{path} is empty: remove it or set TOUCHLINE_SECRET_KEY")
