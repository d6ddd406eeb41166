"""The admin CLI (workspace, profile, keys, tracking-key, user), on SQLite and PostgreSQL:
`--json` shapes, secrets shown once, clean errors."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from touchline.cli.main import app, main
from touchline.control.db import Database
from touchline.control.repos import api_keys, tracking_keys
from touchline.settings import Settings

Run = Callable[..., Any]


@pytest.fixture
def env(control_settings: Settings) -> dict[str, str]:
    return {
        "TOUCHLINE_DATA_DIR": str(control_settings.data_dir),
        "TOUCHLINE_DATABASE_URL": control_settings.database_url,
    }


@pytest.fixture
def run(env: dict[str, str]) -> Run:
    """Runs `touchline ARGS… --json` and returns the parsed JSON."""
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        result = runner.invoke(app, [*args, "--json"], env=env)
        assert result.exit_code == 0, (result.output, result.exception)
        return orjson.loads(result.stdout)

    return invoke


@pytest.fixture
def database(control_settings: Settings) -> Iterator[Database]:
    database = Database.open(control_settings)
    yield database
    database.close()


@pytest.fixture
def profile_id(run: Run) -> str:
    workspace = run("workspace", "create", "Acme Agency")
    return str(run("profile", "create", "--workspace", workspace["id"], "Client")["id"])


def test_workspace_and_profile_json_shapes(run: Run) -> None:
    workspace = run("workspace", "create", "Acme Agency", "--timezone", "Europe/Madrid")
    assert workspace["name"] == "Acme Agency" and workspace["timezone"] == "Europe/Madrid"
    profile = run(
        "profile", "create", "--workspace", workspace["id"], "Client Shop",
        "--currency", "eur", "--domain", "https://www.shop.example/", "--domain", "blog.example",
        "--session-timeout", "45", "--session-mode", "inactivity_or_source_change",
    )  # fmt: skip
    assert profile == {
        "id": profile["id"],
        "workspace_id": workspace["id"],
        "name": "Client Shop",
        "currency": "EUR",
        "timezone": "Europe/Madrid",
        "domains": ["shop.example", "blog.example"],
        "session_timeout_minutes": 45,
        "session_mode": "inactivity_or_source_change",
        "created_at": profile["created_at"],
    }
    assert run("workspace", "list") == [workspace]
    assert run("profile", "list") == [profile]
    assert run("profile", "list", "--workspace", workspace["id"]) == [profile]


def test_profile_defaults(run: Run) -> None:
    workspace = run("workspace", "create", "Acme")
    profile = run("profile", "create", "--workspace", workspace["id"], "Client")
    assert profile["currency"] == "USD" and profile["timezone"] == "UTC"
    assert profile["session_timeout_minutes"] == 30
    assert profile["session_mode"] == "inactivity_only"
    assert profile["domains"] == []


def test_api_key_is_shown_once_and_only_its_hash_stored(
    run: Run, profile_id: str, database: Database
) -> None:
    created = run("keys", "create", "--profile", profile_id, "--name", "reports")
    key = created["key"]
    assert key.startswith("atb_live_")
    assert created["id"] and created["name"] == "reports"
    assert created["scopes"] == [
        "analytics:read",
        "campaigns:read",
        "conversions:read",
        "realtime:read",
    ]
    listed = run("keys", "list", "--profile", profile_id)
    assert [row["id"] for row in listed] == [created["id"]]
    assert "key" not in listed[0] and key not in orjson.dumps(listed).decode()
    with database.read() as session:
        stored = session.execute(text("SELECT key_hash FROM api_keys")).scalars().all()
        assert stored == [hashlib.sha256(key.encode()).hexdigest()]
    with database.transaction() as session:
        found = api_keys.authenticate(session, key)
        assert found is not None and found.id == created["id"]


def test_human_output_prints_the_key_exactly_once(env: dict[str, str], profile_id: str) -> None:
    result = CliRunner().invoke(app, ["keys", "create", "--profile", profile_id], env=env)
    assert result.exit_code == 0, result.output
    key = next(word for word in result.stdout.split() if word.startswith("atb_live_"))
    assert result.stdout.count(key) == 1
    listed = CliRunner().invoke(app, ["keys", "list", "--profile", profile_id], env=env)
    assert listed.exit_code == 0 and key not in listed.stdout


def test_scopes_option_grants_pii_scopes(run: Run, profile_id: str) -> None:
    created = run(
        "keys", "create", "--profile", profile_id, "--scopes", "customers:read,visitors:read"
    )
    assert created["scopes"] == ["customers:read", "visitors:read"]


def test_rotate_issues_a_new_key_and_keeps_the_old_for_48_hours(
    run: Run, profile_id: str, database: Database
) -> None:
    old = run("keys", "create", "--profile", profile_id)
    before = datetime.now(UTC)
    new = run("keys", "rotate", old["id"])
    assert new["key"].startswith("atb_live_") and new["key"] != old["key"]
    assert new["id"] != old["id"] and new["replaces_key_id"] == old["id"]
    expiry = datetime.fromisoformat(new["old_key_expires_at"])
    assert before + timedelta(hours=48) <= expiry <= datetime.now(UTC) + timedelta(hours=48)
    with database.transaction() as session:
        assert api_keys.authenticate(session, old["key"]) is not None
        assert api_keys.authenticate(session, old["key"], expiry) is None
        assert api_keys.authenticate(session, new["key"], expiry) is not None


def test_revoke_is_instant(run: Run, profile_id: str, database: Database) -> None:
    created = run("keys", "create", "--profile", profile_id)
    revoked = run("keys", "revoke", created["id"])
    assert revoked["id"] == created["id"] and revoked["status"] == "revoked"
    with database.transaction() as session:
        assert api_keys.authenticate(session, created["key"]) is None


def test_tracking_key_create_list_revoke(run: Run, profile_id: str, database: Database) -> None:
    created = run("tracking-key", "create", "--profile", profile_id)
    assert created["key"].startswith("trk_live_") and created["id"]
    assert created["profile_id"] == profile_id and created["status"] == "active"
    assert run("tracking-key", "list", "--profile", profile_id) == [created]
    with database.read() as session:
        context = tracking_keys.resolve_tracking_key(session, created["key"])
        assert context is not None and context.profile_id == profile_id
    revoked = run("tracking-key", "revoke", created["id"])
    assert revoked["status"] == "revoked"
    with database.read() as session:
        assert tracking_keys.resolve_tracking_key(session, created["key"]) is None


def test_user_create_generates_a_password_once(run: Run, profile_id: str) -> None:
    user = run("user", "create", "Ana@Example.com", "--role", "admin")
    assert user["email"] == "ana@example.com" and user["role"] == "admin"
    assert user["id"] and user["workspace_id"]
    assert len(user["key"]) >= 20 and user["password"] == user["key"]
    given = run(
        "user", "create", "ben@example.com", "--role", "viewer", "--password", "s3cret-pass"
    )
    assert "key" not in given and "password" not in given
    assert given["role"] == "viewer"


def test_user_create_needs_a_workspace_when_there_are_several(
    run: Run, capsys: pytest.CaptureFixture[str], cli_main: Callable[..., int]
) -> None:
    run("workspace", "create", "A")
    second = run("workspace", "create", "B")
    assert cli_main("user", "create", "a@b.example", "--role", "admin") == 2
    assert "there are 2 workspaces" in capsys.readouterr().err
    assert (
        run("user", "create", "a@b.example", "--role", "admin", "--workspace", second["id"])[
            "workspace_id"
        ]
        == second["id"]
    )


@pytest.fixture
def cli_main(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Runs the real entry point (`touchline …`) and returns its exit status."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["touchline", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        code = exit_.value.code
        return code if isinstance(code, int) else 1

    return invoke


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--currency", "ZZZ"], 2, "invalid_parameter: unknown currency 'ZZZ'"),
        (["--timezone", "Mars/Olympus"], 2, "invalid_parameter: unknown timezone"),
        (["--session-timeout", "0"], 2, "session timeout must be 1 to 120 minutes"),
        (["--session-timeout", "121"], 2, "session timeout must be 1 to 120 minutes"),
        (["--session-mode", "sometimes"], 2, "unknown session mode"),
        (["--domain", "not a domain"], 2, "invalid domain"),
    ],
)
def test_invalid_profile_input_is_a_clean_error(
    run: Run,
    cli_main: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    workspace = run("workspace", "create", "Acme")
    assert cli_main("profile", "create", "--workspace", workspace["id"], "Shop", *args) == code
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert run("profile", "list") == []


@pytest.mark.parametrize(
    "args",
    [
        ["profile", "create", "--workspace", "no-such-workspace", "Shop"],
        ["keys", "create", "--profile", "no-such-profile"],
        ["keys", "rotate", "no-such-key"],
        ["keys", "revoke", "no-such-key"],
        ["tracking-key", "create", "--profile", "no-such-profile"],
        ["tracking-key", "revoke", "no-such-key"],
    ],
)
def test_unknown_ids_are_not_found(
    cli_main: Callable[..., int], capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert cli_main(*args) == 4
    captured = capsys.readouterr()
    assert "not_found" in captured.err and "Traceback" not in captured.err


def test_bad_scope_is_a_clean_error(
    cli_main: Callable[..., int], capsys: pytest.CaptureFixture[str], profile_id: str
) -> None:
    assert cli_main("keys", "create", "--profile", profile_id, "--scopes", "root:all") == 2
    assert "unknown scope(s): root:all" in capsys.readouterr().err


def test_names_are_printed_verbatim_not_as_markup(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["workspace", "create", "Acme [/bold] [red]Co"], env=env)
    assert result.exit_code == 0, result.output
    assert "Acme [/bold] [red]Co" in result.stdout
