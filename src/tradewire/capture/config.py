"""Browser capture's settings section: sessions, page matching and opt-in auto-login."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"

#: URL globs (``*`` matches anything). From the environment one glob as written or a JSON list:
#: NoDecode hands the text to the validator instead of failing to read a glob as JSON.
UrlPatterns = Annotated[tuple[str, ...], NoDecode]


class CaptureSessionSettings(BaseModel):
    """One browser to capture from: attach to a running Chrome, or launch one per account."""

    model_config = ConfigDict(frozen=True)

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

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

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

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)

    tradovate: SiteLogin | None = None
    tradingview: SiteLogin | None = None


class CaptureSettings(BaseModel):
    """Browser capture: sessions started by ``tradewire serve``, and how pages are matched."""

    # Errors would otherwise quote the input, and `login` holds passwords.
    model_config = ConfigDict(hide_input_in_errors=True, frozen=True)

    sessions: tuple[CaptureSessionSettings, ...] = ()
    chromium_path: Path = Path("/usr/bin/chromium")
    headless: bool = False
    tesseract_path: Path = Path("/usr/bin/tesseract")
    ocr_min_confidence: float = Field(60.0, ge=0, le=100)
    reconnect_max_s: float = Field(30.0, ge=0.5, le=3600)
    #: URL globs (``*`` matches anything) of the pages each in-page script runs in.
    tradovate_urls: UrlPatterns = ("https://*.tradovate.com/*",)
    tradingview_urls: UrlPatterns = ("https://*.tradingview.com/*",)
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

    @field_validator("sessions")
    @classmethod
    def _unique_accounts(
        cls, value: tuple[CaptureSessionSettings, ...]
    ) -> tuple[CaptureSessionSettings, ...]:
        accounts = [s.account for s in value]
        if len(set(accounts)) != len(accounts):
            raise ValueError("each capture session needs its own account")
        return value

    @field_validator("tradovate_urls", "tradingview_urls", mode="before")
    @classmethod
    def _one_pattern_or_a_list(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            return (text,)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not one URL pattern nor a JSON list of them: {exc}") from exc

    @field_validator("tradovate_urls", "tradingview_urls")
    @classmethod
    def _patterns_given(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or not all(pattern.strip() for pattern in value):
            raise ValueError("name at least one URL pattern, none of them empty")
        return tuple(pattern.strip() for pattern in value)

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
