"""One Settings object, read from ``TRADEWIRE_*`` environment variables and ``.env``.

Built once at start-up (``Settings()``) and passed down; nothing else reads the environment.
Secrets are ``SecretStr`` so they never appear in reprs, logs or error messages.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.capture.config import CaptureSettings
from tradewire.marketdata.config import PriceSettings
from tradewire.tape.config import ScraperSettings, TapeSettings
from tradewire.trading.config import TradingSettings

#: TradingView's documented webhook source addresses.
TRADINGVIEW_WEBHOOK_IPS: tuple[str, ...] = (
    "52.89.214.238",
    "34.212.75.30",
    "54.218.53.128",
    "52.32.178.7",
)


#: The shortest webhook secret accepted: shorter ones can be guessed through the webhook.
MIN_WEBHOOK_SECRET = 16

#: Market data sources a provider list may name.
Provider = Literal["finnhub", "yahoo", "replay"]


class TuningSettings(BaseModel):
    """Opt-in latency tuning: deployment choices, all off by default (docs/deployment.md).

    Each changes only how soon threads run or how the interpreter behaves process-wide, never
    what tradewire does, so none is needed for correctness.
    """

    model_config = ConfigDict(frozen=True)

    realtime_priority: int = Field(
        0,
        ge=0,
        le=99,
        description="SCHED_FIFO priority for the server's event-loop thread and the message "
        "threads of a browser tradewire launched, where the process may (CAP_SYS_NICE or "
        "RLIMIT_RTPRIO) and has two CPUs or more; 0 never",
    )
    wakeup_slice_us: int = Field(
        0,
        ge=0,
        le=100_000,
        description="CPU time slice (µs, Linux 6.12+) asked for those threads where they do not "
        "run real-time; 0 leaves the scheduler's default",
    )
    yield_after_broadcast: bool = Field(
        False,
        description="give up the CPU once after a signal is written to idle subscribers, so a "
        "subscriber on the same machine reads it before storage work runs",
    )
    switch_interval_ms: float | None = Field(
        None, gt=0, le=100, description="the interpreter's thread switch interval (default 5 ms)"
    )
    gc_freeze: bool = Field(False, description="move start-up objects out of the collector's way")
    gc_thresholds: tuple[int, int, int] | None = Field(
        None, description="the cyclic garbage collector's generation thresholds"
    )

    @field_validator("wakeup_slice_us")
    @classmethod
    def _slice_in_kernel_range(cls, value: int) -> int:
        if 0 < value < 100:
            raise ValueError("the kernel's shortest slice is 100 µs; use 0 for its default")
        return value

    @field_validator("gc_thresholds")
    @classmethod
    def _positive_thresholds(cls, value: tuple[int, int, int] | None) -> tuple[int, ...] | None:
        if value is not None and min(value) < 1:
            raise ValueError("garbage collector thresholds must be 1 or more")
        return value


class Settings(BaseSettings):
    """Everything tradewire can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="TRADEWIRE_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        # A validation error must not quote what it rejected: that may be a password.
        hide_input_in_errors=True,
    )

    # Service
    host: str = "127.0.0.1"
    port: int = Field(6001, ge=1, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = Field("tradewire:", min_length=1, max_length=100)
    nats_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    # Secrets (never logged)
    webhook_secret: SecretStr | None = None
    jwt_secret: SecretStr | None = None
    jwt_ttl_days: int = Field(30, ge=1, le=3650)
    finnhub_api_key: SecretStr | None = None

    # Webhook intake
    webhook_ip_allowlist: bool = False
    webhook_allowed_ips: list[str] = Field(default_factory=lambda: list(TRADINGVIEW_WEBHOOK_IPS))
    trust_proxy: bool = False
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="addresses or networks whose X-Forwarded-For is believed (with TRUST_PROXY)",
    )
    webhook_auth_failures_per_min: int = Field(
        30,
        ge=1,
        le=100_000,
        description="wrong or missing secrets per source address per minute before 429",
    )
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    alert_templates: list[str] = Field(default_factory=list)
    webhook_timeout_s: float = Field(
        2.5, gt=0, le=60, description="answer 503 if storage has not committed by then"
    )

    # Signals
    dedupe_window_s: float = Field(60.0, ge=0.0, le=7 * 86400)
    ws_queue_size: int = Field(256, ge=1, le=100_000)
    ws_heartbeat_s: float = Field(20.0, gt=0, le=3600)
    ws_max_message_bytes: int = Field(
        4096, ge=256, le=1024 * 1024, description="largest message a client may send (close 1009)"
    )
    ws_messages_per_s: float = Field(
        10.0, gt=0, le=10_000, description="sustained client messages per second (close 1008)"
    )
    ws_message_burst: int = Field(20, ge=1, le=100_000, description="client messages at once")

    # HTTP connections
    http_header_timeout_s: float = Field(
        10.0, gt=0, le=300, description="a request's headers must arrive within this"
    )
    http_body_timeout_s: float = Field(
        10.0, gt=0, le=300, description="a request's body must arrive within this"
    )
    http_keepalive_s: float = Field(5.0, gt=0, le=300, description="idle keep-alive connections")
    open_status_endpoints: bool = Field(
        True,
        description="serve /metrics and the collector status without a token, as the seed did; "
        "false asks for one",
    )
    latency_warn_ms: float = Field(100.0, gt=0)
    latency_window: int = Field(1000, ge=10, le=1_000_000)

    scraper: ScraperSettings = Field(default_factory=ScraperSettings)
    capture: CaptureSettings = Field(default_factory=CaptureSettings)
    tape: TapeSettings = Field(default_factory=TapeSettings)
    tuning: TuningSettings = Field(default_factory=TuningSettings)

    # Market data: providers, rate budgets, cache and the collector loop
    finnhub_base_url: str = "https://finnhub.io/api/v1"
    yahoo_base_url: str = "https://query1.finance.yahoo.com"
    quote_providers: list[Provider] = Field(default_factory=lambda: ["finnhub", "yahoo"])
    candle_providers: list[Provider] = Field(default_factory=lambda: ["finnhub", "yahoo"])
    finnhub_rate_limit: int = Field(60, ge=1, le=10_000, description="calls per window")
    yahoo_rate_limit: int = Field(100, ge=1, le=10_000, description="calls per window")
    rate_window_s: float = Field(60.0, gt=0, le=3600, description="rate-limit window, seconds")
    provider_timeout_s: float = Field(10.0, gt=0, le=120)
    provider_retries: int = Field(3, ge=0, le=10)
    provider_unhealthy_after: int = Field(3, ge=1, le=100, description="consecutive failures")
    provider_probe_after_s: float = Field(60.0, gt=0, le=86_400)
    collector_interval_s: float = Field(300.0, ge=1, le=86_400)
    collector_auto_start: bool = False
    collector_concurrency: int = Field(8, ge=1, le=100)
    cache_ttl_s: float = Field(300.0, gt=0, le=7 * 86_400)
    watchlist_max: int = Field(500, ge=2, le=10_000)
    indicators: IndicatorSettings = Field(default_factory=IndicatorSettings)
    # The decision engine: component weights, BUY/SELL thresholds, levels, calibration
    analyzer: AnalyzerSettings = Field(default_factory=AnalyzerSettings)
    prices: PriceSettings = Field(default_factory=PriceSettings)
    # Paper trading: instruments beyond the defaults, starting balances, fees, slippage, leverage
    trading: TradingSettings = Field(default_factory=TradingSettings)

    @field_validator("webhook_secret")
    @classmethod
    def _long_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Set but empty used to accept every alert unauthenticated. Never quote the value.
        if value is not None and len(value.get_secret_value().strip()) < MIN_WEBHOOK_SECRET:
            raise PydanticCustomError(
                "webhook_secret_too_short",
                f"must be {MIN_WEBHOOK_SECRET} characters or more (unset it to accept alerts "
                "without a secret)",
            )
        return value

    @field_validator("webhook_allowed_ips")
    @classmethod
    def _valid_ips(cls, value: list[str]) -> list[str]:
        for ip in value:
            ipaddress.ip_address(ip)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)
        return value

    @field_validator("alert_templates")
    @classmethod
    def _valid_templates(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"alert template {pattern!r} is not a valid regex: {exc}") from exc
            if not {"pair", "direction"} <= set(compiled.groupindex):
                raise ValueError(
                    f"alert template {pattern!r} needs named groups 'pair' and 'direction'"
                )
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'tradewire.db').as_posix()}"
        return self

    @property
    def db_url(self) -> str:
        """The database URL, always set after validation."""
        assert self.database_url is not None
        return self.database_url

    @field_validator("finnhub_base_url", "yahoo_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/")

    @field_validator("quote_providers", "candle_providers")
    @classmethod
    def _providers(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one provider")
        if len(set(value)) != len(value):
            raise ValueError("a provider is listed twice")
        return value

    @property
    def collector_status_file(self) -> Path:
        """Where the collector's status is written for the seed's consumers."""
        return self.data_dir / "collector_status.json"

    @property
    def jwt_secret_file(self) -> Path:
        """Where a generated JWT secret is kept (mode 0600)."""
        return self.data_dir / "jwt_secret"
