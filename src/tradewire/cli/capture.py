"""``tradewire capture``: capture from a browser into the running server, or reload captures.

``attach`` and ``launch`` hand the session to the running ``tradewire serve`` (its API, with an
admin token), so captured signals reach its store and its WebSocket subscribers exactly as the
sessions configured in it do; the command shows the session live and removes it on Ctrl-C. With
``--standalone`` the whole core runs in this process instead: captures are stored, but no
server's subscribers see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import asdict
from typing import Annotated, Literal

import httpx
import typer
from pydantic import ValidationError as SettingsError
from rich.live import Live
from rich.table import Table

from tradewire import logs
from tradewire.capture.config import CaptureSessionSettings
from tradewire.cli import console, fail, load_settings
from tradewire.cli.server import ServerOpt, TokenOpt, refusal, server_token, server_url
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


async def _run_standalone(settings: Settings, spec: CaptureSessionSettings) -> None:
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


def _run_in_server(server: str, token: str, spec: CaptureSessionSettings) -> None:
    """Add the session to the server, show it until Ctrl-C, then remove it."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=30) as client:
        try:
            reply = client.post("/api/capture/sessions", json=spec.model_dump(exclude_none=True))
        except httpx.TransportError as exc:
            raise fail(
                f"no tradewire server answers at {server} ({exc.__class__.__name__}): start "
                "`tradewire serve`, name it with --server, or capture in this process with "
                "--standalone",
                1,
            ) from exc
        if reply.status_code != 201:
            raise fail(f"the server refused the session: {refusal(reply)}", 1)
        console.print(f"capturing {spec.account!r} in the server at {server} (Ctrl-C stops)")
        try:
            with Live(_table([]), console=console, refresh_per_second=2) as live:
                while True:
                    status = client.get("/api/capture/status")
                    if status.status_code == 200:
                        rows = status.json()["sessions"]
                        live.update(_table([r for r in rows if r["account"] == spec.account]))
                    time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            with contextlib.suppress(httpx.HTTPError):
                client.delete(f"/api/capture/sessions/{spec.account}")
        console.print(f"stopped capturing {spec.account!r}")


def _capture(spec: CaptureSessionSettings, server: str | None, token: str | None, alone: bool):
    settings = load_settings()
    if alone:
        logs.configure(settings.log_level, settings.log_json)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run_standalone(settings, spec))
        return
    _run_in_server(server_url(settings, server), server_token(settings, token, "capture-cli"), spec)


StandaloneOpt = Annotated[
    bool,
    typer.Option(
        "--standalone",
        help="Run the core in this process instead (stored, but no server's subscribers see it)",
    ),
]


@capture_app.command("attach")
def attach(
    account: AccountOpt,
    cdp: Annotated[
        str, typer.Option(help="DevTools URL of a running Chrome")
    ] = "http://127.0.0.1:9222",
    server: ServerOpt = None,
    token: TokenOpt = None,
    standalone: StandaloneOpt = False,
) -> None:
    """Attach to a Chrome you already run (start it with --remote-debugging-port=9222)."""
    _capture(_spec(account=account, mode="attach", cdp_url=cdp), server, token, standalone)


@capture_app.command("launch")
def launch(
    account: AccountOpt,
    site: Annotated[Literal["tradovate", "tradingview"], typer.Option(help="Site to open")],
    url: Annotated[str | None, typer.Option(help="Page to open instead of the site's")] = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    standalone: StandaloneOpt = False,
) -> None:
    """Start Chromium with this account's own profile (a login survives restarts; auto-login
    with TRADEWIRE_CAPTURE__LOGIN__<ACCOUNT>__<SITE>__USERNAME and __PASSWORD)."""
    _capture(_spec(account=account, mode="launch", site=site, url=url), server, token, standalone)


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
