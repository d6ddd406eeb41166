"""Secrets at rest: sealed with the settings' key or a generated owner-only key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from touchline.control.secrets import KEY_FILE, SecretBox, SecretsUnreadable
from touchline.settings import Settings


def test_secrets_round_trip_and_the_token_does_not_show_them(tmp_path: Path) -> None:
    box = SecretBox.from_settings(Settings(data_dir=tmp_path))
    token = box.seal({"webhook_secret": "whsec_abc123"})
    assert "whsec_abc123" not in token
    assert box.open(token) == {"webhook_secret": "whsec_abc123"}
    assert box.seal({}) == "" and box.open("") == {}


def test_without_a_configured_key_one_is_generated_once_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    token = SecretBox.from_settings(settings).seal({"a": "b"})
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert SecretBox.from_settings(settings).open(token) == {"a": "b"}


def test_a_passphrase_or_a_fernet_key_can_be_configured(tmp_path: Path) -> None:
    for key in ("correct horse battery staple", Fernet.generate_key().decode()):
        settings = Settings(data_dir=tmp_path, secret_key=key)
        token = SecretBox.from_settings(settings).seal({"k": "v"})
        assert SecretBox.from_settings(settings).open(token) == {"k": "v"}
    assert not (tmp_path / KEY_FILE).exists()


def test_another_key_cannot_open_them(tmp_path: Path) -> None:
    token = SecretBox.from_settings(Settings(data_dir=tmp_path, secret_key="one")).seal({"k": "v"})
    with pytest.raises(SecretsUnreadable, match="TOUCHLINE_SECRET_KEY"):
        SecretBox.from_settings(Settings(data_dir=tmp_path, secret_key="two")).open(token)
