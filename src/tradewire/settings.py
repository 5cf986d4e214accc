"""One Settings object, read from ``TRADEWIRE_*`` environment variables and ``.env``.

Built once at start-up (``Settings()``) and passed down; nothing else reads the environment.
Secrets are ``SecretStr`` so they never appear in reprs, logs or error messages.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: TradingView's documented webhook source addresses.
TRADINGVIEW_WEBHOOK_IPS: tuple[str, ...] = (
    "52.89.214.238",
    "34.212.75.30",
    "54.218.53.128",
    "52.32.178.7",
)


class ScraperSettings(BaseModel):
    """The seed scraper's settings, with their original names and defaults."""

    enabled: bool = False
    interval: int = Field(1000, ge=50, le=60_000, description="page scan interval, ms")
    volume_filter: int = Field(0, ge=0)
    debug: bool = False
    persist_interval: int = Field(60, ge=1, le=3600, description="seconds")
    buffer_size: int = Field(1000, ge=1, le=1_000_000)
    days_to_keep: int = Field(7, ge=1, le=3650)
    auto_start: bool = False


class IndicatorSettings(BaseModel):
    """Indicator periods (TA-Lib) and the swing detection used for support/resistance."""

    rsi: int = Field(14, ge=2, le=500)
    macd_fast: int = Field(12, ge=2, le=500)
    macd_slow: int = Field(26, ge=3, le=500)
    macd_signal: int = Field(9, ge=2, le=500)
    ema_fast: int = Field(20, ge=2, le=1000)
    ema_mid: int = Field(50, ge=2, le=1000)
    ema_slow: int = Field(200, ge=2, le=1000)
    atr: int = Field(14, ge=2, le=500)
    swing_window: int = Field(3, ge=1, le=50, description="bars each side of a swing point")
    level_tolerance_pct: float = Field(0.5, gt=0, le=20, description="cluster width, % of price")

    @model_validator(mode="after")
    def _ordered(self) -> IndicatorSettings:
        if not self.macd_fast < self.macd_slow:
            raise ValueError("macd_fast must be shorter than macd_slow")
        if not self.ema_fast < self.ema_mid < self.ema_slow:
            raise ValueError("EMA periods must satisfy ema_fast < ema_mid < ema_slow")
        return self


#: Market data sources a provider list may name.
Provider = Literal["finnhub", "yahoo", "replay"]


ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"


class CaptureSessionSettings(BaseModel):
    """One browser to capture from: attach to a running Chrome, or launch one per account."""

    account: str = Field(pattern=ACCOUNT_PATTERN)
    mode: Literal["attach", "launch"] = "attach"
    cdp_url: str | None = Field(None, pattern=r"^(https?|wss?)://[^\s]+$")
    site: Literal["tradovate", "tradingview"] | None = None
    url: str | None = Field(None, pattern=r"^(https?|file)://[^\s]+$")

    @model_validator(mode="after")
    def _complete(self) -> CaptureSessionSettings:
        if self.mode == "attach" and not self.cdp_url:
            raise ValueError("an attach session needs cdp_url (e.g. http://127.0.0.1:9222)")
        if self.mode == "launch" and not (self.site or self.url):
            raise ValueError("a launch session needs site (tradovate or tradingview) or url")
        return self


#: Sites a capture session can log in to.
LoginSite = Literal["tradovate", "tradingview"]


def login_key(account: str) -> str:
    """The name an account's credentials go by in environment variables: upper case, each run of
    other characters than letters and digits one ``_`` (``trader@firm.com`` → ``TRADER_FIRM_COM``),
    so a name never holds the ``__`` that separates nested settings."""
    return re.sub(r"[^A-Za-z0-9]+", "_", account).strip("_").upper()


def login_env(account: str, site: str, field: str) -> str:
    """The environment variable that holds one credential, e.g.
    ``TRADEWIRE_CAPTURE__LOGIN__DESK1__TRADOVATE__PASSWORD``."""
    return f"TRADEWIRE_CAPTURE__LOGIN__{login_key(account)}__{site.upper()}__{field.upper()}"


class SiteLogin(BaseModel):
    """One site's credentials for auto-login, read from the environment and never written."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    username: SecretStr | None = None
    password: SecretStr | None = None

    @model_validator(mode="after")
    def _complete(self) -> SiteLogin:
        given = {name for name in ("username", "password") if getattr(self, name) is not None}
        if given != {"username", "password"}:
            missing = ({"username", "password"} - given).pop().upper()
            raise ValueError(f"auto-login needs both USERNAME and PASSWORD; {missing} is not set")
        for name in ("username", "password"):
            if not getattr(self, name).get_secret_value():
                raise ValueError(f"auto-login {name.upper()} is empty")
        return self


class AccountLogins(BaseModel):
    """An account's credentials per site (a site without them is never logged in to)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    tradovate: SiteLogin | None = None
    tradingview: SiteLogin | None = None


class CaptureSettings(BaseModel):
    """Browser capture: sessions started by ``tradewire serve``, and how pages are matched."""

    # Errors would otherwise quote the input, and `login` holds passwords.
    model_config = ConfigDict(hide_input_in_errors=True)

    sessions: list[CaptureSessionSettings] = Field(default_factory=list)
    chromium_path: Path = Path("/usr/bin/chromium")
    headless: bool = False
    tesseract_path: Path = Path("/usr/bin/tesseract")
    ocr_min_confidence: float = Field(60.0, ge=0, le=100)
    reconnect_max_s: float = Field(30.0, ge=0.5, le=3600)
    realtime_priority: int = Field(
        10,
        ge=0,
        le=99,
        description="real-time (SCHED_FIFO) priority for the threads that carry captured messages, "
        "where the process may (CAP_SYS_NICE or RLIMIT_RTPRIO) and has two CPUs or more; 0 never",
    )
    wakeup_slice_us: int = Field(
        100,
        ge=0,
        le=100_000,
        description="CPU time slice (µs, Linux 6.12+) asked for the threads that carry captured "
        "messages where they do not run real-time; 0 leaves the scheduler's default",
    )
    #: URL globs (``*`` matches anything) of the pages each in-page script runs in.
    tradovate_urls: list[str] = Field(default_factory=lambda: ["https://*.tradovate.com/*"])
    tradingview_urls: list[str] = Field(default_factory=lambda: ["https://*.tradingview.com/*"])
    #: Opt-in auto-login: credentials per account (by :func:`login_key`) and site, only from
    #: ``TRADEWIRE_CAPTURE__LOGIN__<ACCOUNT>__<SITE>__USERNAME`` / ``__PASSWORD``.
    login: dict[str, AccountLogins] = Field(default_factory=dict)
    login_max_failures: int = Field(
        3, ge=1, le=10, description="failed logins in a row before auto-login stops"
    )
    login_backoff_s: float = Field(
        30.0, ge=0.05, le=3600, description="wait before retrying; doubles after each failure"
    )
    login_timeout_s: float = Field(
        20.0, ge=1, le=300, description="how long the site has to accept or refuse a login"
    )

    @field_validator("wakeup_slice_us")
    @classmethod
    def _slice_in_kernel_range(cls, value: int) -> int:
        if 0 < value < 100:
            raise ValueError("the kernel's shortest slice is 100 µs; use 0 for its default")
        return value

    @field_validator("sessions")
    @classmethod
    def _unique_accounts(cls, value: list[CaptureSessionSettings]) -> list[CaptureSessionSettings]:
        accounts = [s.account for s in value]
        if len(set(accounts)) != len(accounts):
            raise ValueError("each capture session needs its own account")
        return value

    @field_validator("login")
    @classmethod
    def _login_keys(cls, value: dict[str, AccountLogins]) -> dict[str, AccountLogins]:
        # Environment names arrive lower-cased; a JSON value may use the account name itself.
        keys = {login_key(name): logins for name, logins in value.items()}
        if len(keys) != len(value) or "" in keys:
            raise ValueError("two login entries name the same account (or none)")
        return keys

    @model_validator(mode="after")
    def _login_accounts_distinct(self) -> CaptureSettings:
        seen: dict[str, str] = {}
        for session in self.sessions:
            key = login_key(session.account)
            if key in self.login and key in seen:
                raise ValueError(
                    f"accounts {seen[key]!r} and {session.account!r} would both log in with "
                    f"TRADEWIRE_CAPTURE__LOGIN__{key}__*; rename one"
                )
            seen[key] = session.account
        return self

    def credentials(self, account: str, site: str) -> SiteLogin | None:
        """The credentials ``account`` logs in to ``site`` with, or None (no auto-login)."""
        logins = self.login.get(login_key(account))
        return getattr(logins, site) if logins is not None else None


class TapeSettings(BaseModel):
    """The trade-tape store: exchange time zone, duplicate window, retention cadence, limits."""

    exchange_timezone: str = Field(
        "America/Chicago", description="zone of the times the page shows (CME: US/Central)"
    )
    dedupe_window_s: float = Field(
        6 * 3600, ge=60, le=7 * 86400, description="prints newer than this are checked in memory"
    )
    retention_interval_s: float = Field(3600, ge=1, le=86400, description="retention cadence")
    max_ingest_bytes: int = Field(8 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)

    @field_validator("exchange_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
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
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    alert_templates: list[str] = Field(default_factory=list)
    webhook_timeout_s: float = Field(
        2.5, gt=0, le=60, description="answer 503 if storage has not committed by then"
    )

    # Signals
    dedupe_window_s: float = Field(60.0, ge=0.0, le=7 * 86400)
    ws_queue_size: int = Field(256, ge=1, le=100_000)
    ws_heartbeat_s: float = Field(20.0, gt=0, le=3600)
    latency_warn_ms: float = Field(100.0, gt=0)
    latency_window: int = Field(1000, ge=10, le=1_000_000)

    scraper: ScraperSettings = Field(default_factory=ScraperSettings)
    capture: CaptureSettings = Field(default_factory=CaptureSettings)
    tape: TapeSettings = Field(default_factory=TapeSettings)

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

    @field_validator("webhook_allowed_ips")
    @classmethod
    def _valid_ips(cls, value: list[str]) -> list[str]:
        for ip in value:
            ipaddress.ip_address(ip)
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
