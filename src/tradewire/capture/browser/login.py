"""Opt-in auto-login: fill a site's login form with the account's credentials from the settings.

Only for an account and site whose ``TRADEWIRE_CAPTURE__LOGIN__<ACCOUNT>__<SITE>__USERNAME`` and
``__PASSWORD`` are set; without them nothing is installed in the browser. An in-page observer
(``scripts/login_form.js``) reports a login form as it appears, in a new document or later in the
same one (a session that expires). The session then types the credentials into the fields over the
DevTools Protocol (``Input.insertText``: they never become part of a script), submits, and watches
the page: the form goes away (logged in), or an error appears or the form stays (failed).

One attempt per page load. After a failure the page is reloaded for another attempt after a
backoff that doubles; after ``login_max_failures`` failures in a row auto-login stops until
tradewire restarts, so a wrong password cannot lock the account. Nothing here logs or reports a
credential, nor a Playwright error's text (its call log quotes what was typed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any, get_args

import structlog
from playwright.async_api import BrowserContext, ElementHandle, Frame, Page
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from tradewire.capture.browser.scripts import SCRIPTS_DIR, glob_to_regex
from tradewire.capture.config import CaptureSettings, LoginSite, SiteLogin, login_env

log = structlog.get_logger(__name__)

BINDING = "__tradewireLoginForm"
SITES: tuple[str, ...] = get_args(LoginSite)
_WATCH = "__tradewireLoginWatch"
_READY = "ready (no login form seen)"
_POLL_S = 0.25
#: How long the form must stay away to count as a login: some sites hide it while they check.
_SETTLE_S = 1.0
_ACTION_MS = 5000
_FOCUS = """el => {
  el.focus();
  if (el.select) el.select();
  return document.activeElement === el;
}"""


@dataclass(frozen=True, slots=True)
class LoginScripts:
    """The in-page parts, built from ``scripts/login_form.js`` (the one place with selectors)."""

    watch: str  # installed in every document: reports a login form through the binding
    find: str  # evaluated: [document id, user, password, submit, sign-in method option]
    state: str  # evaluated: {form, option, error}

    @classmethod
    def load(cls, patterns: list[str]) -> LoginScripts:
        """Read the source from disk (each connection: an edited selector needs no restart); the
        watcher runs only in documents whose URL matches one of ``patterns`` (regex sources)."""
        source = (SCRIPTS_DIR / "login_form.js").read_text(encoding="utf-8")
        watch = f"""(() => {{
  const sites = {json.dumps(patterns)};
  if (!sites.some((pattern) => new RegExp(pattern).test(location.href))) return;
{source}
  const current = window[{_WATCH!r}];
  if (current) {{ current.check(); return; }}
  const watch = watchLoginForms((doc) => {{
    const report = window[{BINDING!r}];
    if (typeof report === "function") Promise.resolve(report(doc)).catch(() => {{}});
  }});
  Object.defineProperty(window, {_WATCH!r}, {{ value: watch }});
}})();"""
        find = f"""() => {{
{source}
  const form = findLoginForm() || {{}};
  const watch = window[{_WATCH!r}];
  return [watch ? watch.doc : "", form.user, form.password, form.submit, form.option];
}}"""
        state = f"() => {{\n{source}\n  return loginState();\n}}"
        return cls(watch=watch, find=find, state=state)


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    reason: str = ""


class AutoLogin:
    """Log one session's pages in to each site it has credentials for."""

    def __init__(self, account: str, settings: CaptureSettings) -> None:
        self._sites: dict[str, _SiteLogin] = {}
        for site in SITES:
            credentials = settings.credentials(account, site)
            if credentials is not None:
                globs: list[str] = getattr(settings, f"{site}_urls")
                patterns = [re.compile(glob_to_regex(g)) for g in globs]
                self._sites[site] = _SiteLogin(account, site, credentials, patterns, settings)

    def status(self) -> dict[str, str]:
        """Each site's login state, e.g. ``{"tradovate": "logged in", "tradingview": "not
        configured"}`` (never a credential)."""
        return {
            site: login.status if (login := self._sites.get(site)) else "not configured"
            for site in SITES
        }

    async def install(self, context: BrowserContext) -> None:
        """Watch every page of ``context`` for login forms (nothing without credentials)."""
        if not self._sites:
            return
        # Only the sites this account logs in to: other pages, the user's own tabs in attach
        # mode among them, get nothing.
        scripts = LoginScripts.load([p.pattern for s in self._sites.values() for p in s.patterns])
        for login in self._sites.values():
            login.scripts = scripts
        await context.expose_binding(BINDING, self._on_form)
        await context.add_init_script(script=scripts.watch)
        for page in context.pages:
            for frame in page.frames:
                # A frame that is navigating gets the watcher from the init script instead.
                with contextlib.suppress(PlaywrightError):
                    await frame.evaluate(scripts.watch)

    async def close(self) -> None:
        """Stop what is in progress (the browser connection is going away)."""
        await asyncio.gather(*(login.close() for login in self._sites.values()))

    def _on_form(self, source: dict[str, Any], document: str) -> None:
        frame: Frame = source["frame"]
        for login in self._sites.values():
            if login.serves(frame.url):
                login.notice(source["page"], frame, str(document))


class _SiteLogin:
    """One site's credentials, state and attempts (one at a time, spaced by the backoff)."""

    def __init__(
        self,
        account: str,
        site: str,
        credentials: SiteLogin,
        patterns: list[re.Pattern[str]],
        settings: CaptureSettings,
    ) -> None:
        assert credentials.username is not None and credentials.password is not None
        self._account, self._site = account, site
        self._username, self._password = credentials.username, credentials.password
        self.patterns = patterns
        self._max_failures = settings.login_max_failures
        self._backoff_s = settings.login_backoff_s
        self._timeout_s = settings.login_timeout_s
        self.scripts: LoginScripts | None = None
        self.status = _READY
        self._failures = 0
        self._stopped = False
        self._next_at = 0.0
        self._queue: dict[Page, Frame] = {}
        self._attempted: set[str] = set()  # documents already tried: one attempt per page load
        self._picked: set[str] = set()  # documents where a sign-in method was chosen
        self._worker: asyncio.Task | None = None

    def serves(self, url: str) -> bool:
        return any(p.match(url) for p in self.patterns)

    def notice(self, page: Page, frame: Frame, document: str) -> None:
        """A login form appeared in ``frame``: log in there (after the backoff, if one runs)."""
        if self._stopped or document in self._attempted:
            return
        self._queue[page] = frame
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(
                self._work(), name=f"login:{self._account}:{self._site}"
            )

    async def close(self) -> None:
        self._queue.clear()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self.status == "logging in":
            self.status = _READY

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue and not self._stopped:
            page = next(iter(self._queue))
            frame = self._queue.pop(page)
            await asyncio.sleep(max(0.0, self._next_at - loop.time()))
            if page.is_closed():
                continue
            try:
                outcome = await self._attempt(page, frame)
            except PlaywrightError:
                # Navigated or closed before the submit; a new document reports its form again.
                outcome = None
            except Exception as exc:
                # Not silently: but only the type, as a message might quote what was typed.
                log.error(
                    "auto-login error",
                    account=self._account,
                    site=self._site,
                    error=type(exc).__name__,
                )
                outcome = None
            if outcome is not None:
                await self._settle(page, outcome)
            elif self.status == "logging in":
                self.status = _READY

    async def _attempt(self, page: Page, frame: Frame) -> _Outcome | None:
        assert self.scripts is not None
        if not self.serves(frame.url):
            return None
        found = await frame.evaluate_handle(self.scripts.find)
        parts: dict[str, Any] = {}
        try:
            parts = await found.get_properties()
            document = await parts["0"].json_value()
            user, password, submit, option = (parts[str(i)].as_element() for i in range(1, 5))
            if document in self._attempted:
                return None
            if password is None:
                if option is not None and document not in self._picked:
                    self._picked.add(document)  # e.g. TradingView's "Email": then the form shows
                    await option.click(timeout=_ACTION_MS)
                return None
            self._attempted.add(document)
            self.status = "logging in"
            before = await self._state(page)
            if user is not None and not await self._type(page, frame, user, self._username):
                return _Outcome(False, "the username field did not take the text")
            if not await self._type(page, frame, password, self._password):
                return _Outcome(False, "the password field did not take the text")
            # A site that navigates at once can interrupt the click: the outcome tells.
            with contextlib.suppress(PlaywrightError):
                if submit is not None:
                    await submit.click(timeout=_ACTION_MS)
                else:
                    await page.keyboard.press("Enter")
            log.info("auto-login submitted", account=self._account, site=self._site)
            return await self._outcome(page, before["error"] if before else "")
        finally:
            for handle in (found, *parts.values()):
                with contextlib.suppress(PlaywrightError):
                    await handle.dispose()

    async def _type(self, page: Page, frame: Frame, field: ElementHandle, value: SecretStr) -> bool:
        """Type ``value`` into ``field`` as keyboard input; False if the field did not get it."""
        # Checked again right before typing: the frame may have navigated to another site.
        if not self.serves(frame.url) or not await field.evaluate(_FOCUS):
            return False
        secret = value.get_secret_value()
        await page.keyboard.insert_text(secret)
        # Compared by length only (UTF-16 units, as JavaScript counts): the value itself never
        # goes into a script.
        return await field.evaluate("el => el.value.length") == len(secret.encode("utf-16-le")) // 2

    async def _outcome(self, page: Page, error_before: str) -> _Outcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_s
        gone_since: float | None = None
        while loop.time() < deadline:
            await asyncio.sleep(_POLL_S)
            if page.is_closed():
                return _Outcome(False, "the page was closed")
            state = await self._state(page)
            if state is None:  # navigating
                gone_since = None
                continue
            if state["error"] and state["error"] != error_before:
                return _Outcome(False, f'the site said "{self._redact(state["error"])}"')
            if state["form"] or state["option"]:
                gone_since = None
            elif gone_since is None:
                gone_since = loop.time()
            elif loop.time() - gone_since >= _SETTLE_S:
                return _Outcome(True)
        return _Outcome(False, "the login form is still shown (wrong credentials?)")

    async def _state(self, page: Page) -> dict[str, Any] | None:
        """What the site's frames of ``page`` show, merged; None while none can answer."""
        assert self.scripts is not None
        states = []
        for frame in page.frames:
            if self.serves(frame.url):
                with contextlib.suppress(PlaywrightError):
                    states.append(await frame.evaluate(self.scripts.state))
        if not states:
            return None
        return {
            "form": any(s["form"] for s in states),
            "option": any(s["option"] for s in states),
            "error": " ".join(s["error"] for s in states if s["error"]),
        }

    async def _settle(self, page: Page, outcome: _Outcome) -> None:
        now = asyncio.get_running_loop().time()
        fields = {"account": self._account, "site": self._site}
        if outcome.ok:
            self._failures, self.status = 0, "logged in"
            self._next_at = now + self._backoff_s  # a site that bounces back is not hammered
            log.info("auto-login succeeded", **fields)
            return
        self._failures += 1
        if self._failures >= self._max_failures:
            self._stopped = True
            self.status = f"failed: {outcome.reason}; stopped after {self._failures} attempts"
            log.warning(
                "auto-login stopped: log in by hand, or correct the credentials and restart",
                reason=outcome.reason,
                attempts=self._failures,
                variables=login_env(self._account, self._site, "*"),
                **fields,
            )
            return
        delay = self._backoff_s * 2 ** (self._failures - 1)
        self._next_at = now + delay
        self.status = (
            f"failed ({self._failures} of {self._max_failures}): {outcome.reason}; "
            f"retrying in {delay:g} s"
        )
        log.warning(
            "auto-login failed",
            reason=outcome.reason,
            attempt=self._failures,
            retry_in_s=delay,
            **fields,
        )
        await asyncio.sleep(delay)
        # A fresh page load for the next attempt (and a fresh form, tokens and all).
        state = None if page.is_closed() else await self._state(page)
        if state is not None and (state["form"] or state["option"]):
            with contextlib.suppress(PlaywrightError):
                await page.reload(wait_until="commit")

    def _redact(self, text: str) -> str:
        for secret in (self._username, self._password):
            text = text.replace(secret.get_secret_value(), "***")
        return text
