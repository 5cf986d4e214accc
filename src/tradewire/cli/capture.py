"""``tradewire capture``: capture from a browser in this process, or reload running captures.

``attach`` and ``launch`` run the whole tradewire core (pipeline, tape store) in this process
and capture until Ctrl-C; to have captured signals reach the server's WebSocket subscribers,
configure the sessions in the server instead (``TRADEWIRE_CAPTURE__SESSIONS``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict
from typing import Annotated, Literal

import typer
from pydantic import ValidationError as SettingsError
from rich.live import Live
from rich.table import Table

from tradewire import logs
from tradewire.capture.config import CaptureSessionSettings
from tradewire.cli import console, fail, load_settings
from tradewire.settings import Settings

capture_app = typer.Typer(
    help="Capture alerts and the trade tape from Chrome.", no_args_is_help=True
)

AccountOpt = Annotated[str, typer.Option(help="Account name every captured event is tagged with")]


def _spec(**fields: object) -> CaptureSessionSettings:
    try:
        return CaptureSessionSettings(**fields)
    except SettingsError as exc:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'session'}: {e['msg']}" for e in exc.errors()
        )
        raise fail(reasons) from exc


def _wakeups(row: dict[str, object]) -> str:
    """How the session's message threads wake: real-time, with a short slice, or by default."""
    realtime = int(str(row["realtime_threads"]))
    sliced = int(str(row["prompt_wakeups"])) - realtime
    parts = [f"{realtime} real-time"] * bool(realtime) + [f"{sliced} short slice"] * bool(sliced)
    return ", ".join(parts) or "default"


def _table(rows: list[dict[str, object]]) -> Table:
    table = Table(
        "account",
        "mode",
        "state",
        "login",
        "wake-ups",
        "pages",
        "prints",
        "alerts",
        "signals",
        "errors",
    )
    for row in rows:
        stats = row["stats"]
        login = row["login"]
        table.add_row(
            str(row["account"]),
            str(row["mode"]),
            str(row["state"]),
            "; ".join(
                f"{site}: {state}" for site, state in login.items() if state != "not configured"
            )
            or "off",
            _wakeups(row),
            str(len(row["pages"])),
            str(stats["prints"]),
            str(stats["alerts"]),
            str(stats["signals"]),
            str(row["last_error"] or stats["last_error"] or ""),
        )
    return table


async def _run(settings: Settings, spec: CaptureSessionSettings) -> None:
    from tradewire.bootstrap import build

    container = build(settings)
    assert container.capture is not None
    await container.start()
    try:
        await container.capture.start([spec])
        with Live(_table([]), console=console, refresh_per_second=2) as live:
            while True:
                live.update(_table([asdict(s) for s in container.capture.status()]))
                await asyncio.sleep(0.5)
    finally:
        await container.stop()


def _capture(spec: CaptureSessionSettings) -> None:
    settings = load_settings()
    logs.configure(settings.log_level, settings.log_json)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(settings, spec))


@capture_app.command("attach")
def attach(
    account: AccountOpt,
    cdp: Annotated[
        str, typer.Option(help="DevTools URL of a running Chrome")
    ] = "http://127.0.0.1:9222",
) -> None:
    """Attach to a Chrome you already run (start it with --remote-debugging-port=9222)."""
    _capture(_spec(account=account, mode="attach", cdp_url=cdp))


@capture_app.command("launch")
def launch(
    account: AccountOpt,
    site: Annotated[Literal["tradovate", "tradingview"], typer.Option(help="Site to open")],
    url: Annotated[str | None, typer.Option(help="Page to open instead of the site's")] = None,
) -> None:
    """Start Chromium with this account's own profile (a login survives restarts; auto-login
    with TRADEWIRE_CAPTURE__LOGIN__<ACCOUNT>__<SITE>__USERNAME and __PASSWORD)."""
    _capture(_spec(account=account, mode="launch", site=site, url=url))


@capture_app.command("reload")
def reload() -> None:
    """Make every running capture re-read the in-page scripts and re-inject them."""
    from tradewire.capture.browser.service import signal_reload

    pids = signal_reload(load_settings().data_dir)
    if not pids:
        raise fail("no capture process is running", 1)
    console.print(f"asked {len(pids)} capture process(es) to reload: {', '.join(map(str, pids))}")


@capture_app.command("userscript")
def userscript(
    site: Annotated[Literal["tradovate", "tradingview"], typer.Option(help="Site")],
    base_url: Annotated[str, typer.Option(help="Where tradewire serves")] = "http://127.0.0.1:6001",
) -> None:
    """Print the Tampermonkey userscript for a site."""
    from tradewire.capture.browser.scripts import ScriptBundle

    settings = load_settings()
    match = (
        settings.capture.tradovate_urls
        if site == "tradovate"
        else settings.capture.tradingview_urls
    )
    typer.echo(ScriptBundle().userscript(site, base_url=base_url, match=match))
