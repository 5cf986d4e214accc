"""Run the API with uvicorn, optionally alongside other coroutines (the demo's sources)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import FrameType

import uvicorn

from tradewire import logs
from tradewire.api.app import create_app
from tradewire.bootstrap import Container, build
from tradewire.bootstrap.startup import listen
from tradewire.read_deadlines import with_read_deadlines
from tradewire.settings import Settings
from tradewire.tuning import tuned

#: A coroutine started once the server is listening; it gets the container and the base URL.
Companion = Callable[[Container, str], Awaitable[None]]


def uvicorn_config(app, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        # The configured limit is enforced per message with a reason (close 1009, api/ws.py);
        # uvicorn's own ceiling only has to let such a message reach it.
        ws_max_size=max(settings.ws_max_message_bytes, 64 * 1024),
        # Signals are small; per-connection compression would cost a deflate per subscriber
        # per broadcast for little gain.
        ws_per_message_deflate=False,
        ws_ping_interval=20,
        ws_ping_timeout=20,
        http=with_read_deadlines(settings.http_header_timeout_s, settings.http_body_timeout_s),
        timeout_keep_alive=settings.http_keepalive_s,
        log_config=None,
        access_log=False,
        # X-Forwarded-For is honoured only where TRADEWIRE_TRUST_PROXY says so (WebhookGuard);
        # uvicorn's own handling would let any local process pose as a TradingView address.
        proxy_headers=False,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (its transports and scheduling cost a fraction of the
    standard loop's on the webhook-to-subscriber path), else the standard loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class _Server(uvicorn.Server):
    """uvicorn's server, calling ``on_exit`` as soon as a signal asks it to stop: before it closes
    its connections, so the companions stop before their server goes away under them."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)


async def serve(settings: Settings, companions: tuple[Companion, ...] = ()) -> None:
    """Serve until interrupted, or until every companion has finished (if there are any).

    A companion that fails stops the server with its error. Interrupted, the server stops the
    companions first.
    """
    # Listening, building and starting come before uvicorn: a failure is then one line (a
    # FatalError), not a server that starts, logs a traceback and stops.
    listener = listen(settings.host, settings.port)
    try:
        container = build(settings)
        try:
            await container.start()
        except BaseException:
            await container.stop()
            raise
    except BaseException:
        listener.close()
        raise
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[None]] = []

    def stop_companions() -> None:
        # Called from a signal handler: the loop itself does the cancelling.
        loop.call_soon_threadsafe(lambda: [task.cancel() for task in tasks])

    server = _Server(
        uvicorn_config(create_app(container.api_services()), settings), on_exit=stop_companions
    )
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if serving.done():
            await serving
            return
        await asyncio.sleep(0.02)
    # Opt-in tuning (off by default) holds while serving; the loop's thread is given back after.
    with tuned(settings.tuning):
        base_url = f"http://{settings.host}:{settings.port}"
        tasks += [asyncio.create_task(c(container, base_url)) for c in companions]
        try:
            pending = set(tasks)
            while pending and not serving.done():
                done, pending = await asyncio.wait(
                    [serving, *pending], return_when=asyncio.FIRST_COMPLETED
                )
                pending.discard(serving)
                for task in done:
                    if task is not serving and not task.cancelled() and task.exception():
                        raise task.exception()
            if not tasks:
                await serving
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            server.should_exit = True
            await serving


def run(settings: Settings, companions: tuple[Companion, ...] = ()) -> None:
    """Configure logging and serve (blocking)."""
    logs.configure(settings.log_level, settings.log_json)
    with (
        contextlib.suppress(KeyboardInterrupt),
        asyncio.Runner(loop_factory=loop_factory()) as runner,
    ):
        runner.run(serve(settings, companions))
