"""The one Settings object: read from `TOUCHLINE_*` once at the entry point and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Touchline reads. Each one is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="TOUCHLINE_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("touchline-data"),
        description="Directory holding the SQLite control plane, DuckDB event store and spool.",
    )
    database_url: str = Field(
        default="",
        description="Control-plane URL. Empty = SQLite in the data directory; "
        "`postgresql+psycopg://…` for PostgreSQL.",
    )
    event_store_url: str = Field(
        default="",
        description="Event-plane URL. Empty = DuckDB in the data directory; "
        "`chdb://PATH` for in-process ClickHouse; `clickhouse://…` for a server.",
    )
    host: str = Field(default="127.0.0.1", description="Address `touchline serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `touchline serve` binds.")
    public_url: str = Field(
        default="",
        description="Base URL people reach the server at (webhook URLs, snippets). "
        "Empty = http://HOST:PORT.",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxy addresses/CIDRs whose X-Forwarded-For is believed (comma-separated).",
    )
    geoip_path: Path | None = Field(
        default=None,
        description="Directory or file of DB-IP/MaxMind-style .mmdb databases; "
        "default: DATA_DIR/geoip, then ./vendor/geoip (where `make install` puts DB-IP).",
    )
    collect_max_body_bytes: int = Field(
        default=256 * 1024, description="Largest accepted collect body (bytes); larger → 413."
    )
    collect_max_events: int = Field(
        default=100, description="Most events in one collect request; more → 413."
    )
    collect_rate_per_second: int = Field(
        default=200,
        description="Flood control: collect requests per second allowed per client IP "
        "(burst of twice that); more → 429.",
    )
    collect_max_future_skew_seconds: int = Field(
        default=300, description="How far in the future a collect event timestamp may be."
    )
    collect_max_past_days: int = Field(
        default=7, description="How old a live collect event may be (imports accept any age)."
    )
    spool_segment_bytes: int = Field(
        default=64 * 1024 * 1024, description="Spool segment size before it is rolled over."
    )
    loader_interval_seconds: float = Field(
        default=0.5, description="How often the loader drains the spool into the event plane."
    )
    loader_batch_events: int = Field(
        default=200_000, description="Most events the loader moves in one transaction."
    )
    ready_max_loader_lag_seconds: float = Field(
        default=60.0, description="`/health/ready` fails when the oldest unloaded event is older."
    )
    webhook_max_body_bytes: int = Field(
        default=1024 * 1024, description="Largest accepted webhook body (bytes); larger → 413."
    )
    answer_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Longest a report answer is reused; any write in this server makes it "
        "stale at once (0 turns the cache off).",
    )
    sync_scheduler: bool = Field(
        default=True,
        description="Run connections' scheduled syncs inside the server (each connector sets "
        "its interval).",
    )
    sync_check_seconds: float = Field(
        default=60.0, description="How often the server looks for connections due a sync."
    )
    secret_key: str = Field(
        default="",
        description="Key for encrypting secrets at rest; generated into the data directory "
        "when empty.",
    )
    log_level: str = Field(default="info", description="uvicorn/app log level.")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'control.sqlite3').resolve()}"

    @property
    def resolved_event_store_url(self) -> str:
        if self.event_store_url:
            return self.event_store_url
        return f"duckdb://{(self.data_dir / 'events.duckdb').resolve()}"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def resolved_public_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.spool_dir.mkdir(parents=True, exist_ok=True)
