"""Build every service from Settings and start and stop them in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from prometheus_client import CollectorRegistry

from tradewire.alerts import AlertParser
from tradewire.alerts.templates import TemplateSet
from tradewire.api.auth import TokenService, load_or_create_secret
from tradewire.api.services import ApiLimits, ApiServices, Health, WsLimits
from tradewire.api.ws_sessions import UserConnections
from tradewire.api.ws_trading import TradingMessages
from tradewire.bootstrap.analysis import build_analysis, build_analyst
from tradewire.bootstrap.capture import build_capture
from tradewire.bootstrap.marketdata import build_collector
from tradewire.bootstrap.metrics import (
    hub_and_writer_gauges,
    latency_histogram,
    tape_gauges,
    webhook_auth_counters,
)
from tradewire.bootstrap.prices import build_prices
from tradewire.bootstrap.startup import needs
from tradewire.bootstrap.tape import build_tape
from tradewire.bootstrap.trading import build_desk, follow_trading_messages, trade_journal
from tradewire.bootstrap.users import build_users
from tradewire.capture.browser.service import CaptureService
from tradewire.capture.webhook import WebhookGuard
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock, LiveClock
from tradewire.core.events import SignalEmitted
from tradewire.marketdata.collector import Collector
from tradewire.marketdata.decisions import AnalysisService
from tradewire.marketdata.feeds import PriceService
from tradewire.settings import Settings
from tradewire.signals.dedupe import Deduplicator
from tradewire.signals.hub import SignalHub
from tradewire.signals.latency import LatencyTracker
from tradewire.signals.pipeline import SignalPipeline
from tradewire.storage.db import Engine, create_db_engine, ping, safe_url
from tradewire.storage.migrate import upgrade
from tradewire.storage.repositories.health import WriteProbe
from tradewire.storage.repositories.signals import SqlSignalStore
from tradewire.storage.writer import GroupCommitWriter
from tradewire.tape.service import TapeService
from tradewire.trading.desk import PaperDesk
from tradewire.users.model import UserDisabled
from tradewire.users.service import UserService

log = structlog.get_logger(__name__)
_DATA_DIR_FIX = "set TRADEWIRE_DATA_DIR to a writable folder with free space"


@dataclass
class Container:
    """Everything a running tradewire needs, built from Settings."""

    settings: Settings
    clock: Clock
    bus: MessageBus
    registry: CollectorRegistry
    tokens: TokenService
    writer: GroupCommitWriter
    signal_store: SqlSignalStore
    latency: LatencyTracker
    dedupe: Deduplicator
    hub: SignalHub
    pipeline: SignalPipeline
    webhook_guard: WebhookGuard
    engine: Engine
    users: UserService
    connections: UserConnections
    paper: PaperDesk
    collector: Collector | None = None
    tape: TapeService | None = None
    capture: CaptureService | None = None
    prices: PriceService | None = None
    analysis: AnalysisService | None = None
    _background: list[asyncio.Task] = field(default_factory=list)
    _started: bool = False

    async def start(self) -> None:
        """Migrate the database, start the writer, warm duplicate suppression, start the hub.

        Starting again does nothing: the server starts the container before it listens, so that
        a start-up failure is one line, and its app's lifespan then finds it started."""
        if self._started:
            return
        await asyncio.to_thread(upgrade, self.settings.db_url, engine=self.engine)
        self._started = True
        self.writer.start()
        await self.users.load()
        now = self.clock.now_ns()
        horizon = now - int(max(self.settings.dedupe_window_s, 86_400) * 1e9)
        identities = await asyncio.to_thread(self.signal_store.recent_identities, horizon)
        warmed = self.dedupe.warm(identities, now)
        if self.tape is not None:
            await self.tape.start()
        self.hub.start()
        if self.settings.webhook_secret is None:
            log.warning(
                "TRADEWIRE_WEBHOOK_SECRET is not set: the webhook accepts alerts without a secret"
            )
        if self.collector is not None:
            await self.collector.open()
        if self.capture is not None:
            await self.capture.start()
        # Accounts and brackets are rebuilt before the first price can move them.
        await self.paper.start()
        if self.prices is not None:
            await self.prices.start()
        log.info("tradewire started", database=safe_url(self.settings.db_url), dedupe_warmed=warmed)

    async def stop(self) -> None:
        """Stop background work, close subscribers, flush and stop the writer (once)."""
        if not self._started:
            return
        self._started = False
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self.prices is not None:
            await self.prices.stop()
        await self.paper.stop()
        if self.collector is not None:
            await self.collector.close()
        if self.capture is not None:
            await self.capture.stop()
        await self.hub.stop()
        if self.tape is not None:
            await self.tape.stop()
        await asyncio.to_thread(self.writer.stop)
        self.engine.dispose()

    def api_services(self) -> ApiServices:
        """The services the HTTP and WebSocket front end uses."""
        settings = self.settings
        return ApiServices(
            limits=ApiLimits(
                ws=WsLimits(
                    max_message_bytes=settings.ws_max_message_bytes,
                    messages_per_s=settings.ws_messages_per_s,
                    message_burst=settings.ws_message_burst,
                ),
                max_body_bytes=settings.max_body_bytes,
                max_ingest_bytes=settings.tape.max_ingest_bytes,
                webhook_timeout_s=settings.webhook_timeout_s,
                latency_warn_ms=settings.latency_warn_ms,
                open_status_endpoints=settings.open_status_endpoints,
            ),
            clock=self.clock,
            bus=self.bus,
            tokens=self.tokens,
            webhook_guard=self.webhook_guard,
            pipeline=self.pipeline,
            hub=self.hub,
            latency=self.latency,
            signals=self.signal_store,
            health=Health(
                database_ok=lambda: ping(self.engine),
                writes_ok=WriteProbe(self.writer).writes_ok,
                writes_pending=lambda: self.writer.pending,
            ),
            registry=self.registry,
            users=self.users,
            connections=self.connections,
            start=self.start,
            stop=self.stop,
            tape=self.tape,
            collector=self.collector,
            capture=self.capture,
            prices=self.prices,
            paper=self.paper,
            analysis=self.analysis,
        )


def build(settings: Settings, clock: Clock | None = None) -> Container:
    """Create the container for ``settings`` (nothing is started yet)."""
    clock = clock or LiveClock()
    bus = MessageBus()
    with needs(f"the data folder {settings.data_dir} is not usable", _DATA_DIR_FIX):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_db_engine(settings.db_url)
        writer = GroupCommitWriter(engine)
        users = build_users(engine=engine, writer=writer, bus=bus, clock=clock)
        tokens = token_service(settings, disabled=users.is_disabled)
    registry = CollectorRegistry()
    latency = LatencyTracker(
        settings.latency_window, settings.latency_warn_ms, observe=latency_histogram(registry)
    )
    hub = SignalHub(
        latency,
        queue_size=settings.ws_queue_size,
        heartbeat_s=settings.ws_heartbeat_s,
        clock=clock,
        yield_after_broadcast=settings.tuning.yield_after_broadcast,
    )
    store = SqlSignalStore(engine, writer)
    dedupe = Deduplicator(settings.dedupe_window_s)
    pipeline = SignalPipeline(
        parser=AlertParser(TemplateSet(settings.alert_templates)),
        dedupe=dedupe,
        bus=bus,
        store=store,
        latency=latency,
        clock=clock,
    )
    bus.subscribe(SignalEmitted, hub.on_signal)
    connections = UserConnections(hub)
    bus.subscribe(UserDisabled, connections.on_user_disabled)
    follow_trading_messages(bus, TradingMessages(hub, connections))
    hub_and_writer_gauges(registry, hub, writer)
    tape = build_tape(settings, engine=engine, writer=writer, bus=bus, clock=clock)
    tape_gauges(registry, tape)
    collector = build_collector(settings, engine=engine, writer=writer, clock=clock, bus=bus)
    analysis = build_analysis(settings, collector, clock)
    build_analyst(
        settings, analysis=analysis, collector=collector, pipeline=pipeline, bus=bus, clock=clock
    )
    return Container(
        settings=settings,
        clock=clock,
        bus=bus,
        registry=registry,
        tokens=tokens,
        writer=writer,
        signal_store=store,
        latency=latency,
        dedupe=dedupe,
        hub=hub,
        pipeline=pipeline,
        engine=engine,
        users=users,
        connections=connections,
        paper=build_desk(
            settings,
            journal=trade_journal(engine=engine, writer=writer),
            bus=bus,
            users=users,
            clock=clock,
        ),
        webhook_guard=webhook_guard(settings, registry),
        collector=collector,
        tape=tape,
        capture=build_capture(settings, bus=bus, alerts=pipeline, clock=clock),
        prices=build_prices(settings, bus=bus, clock=clock),
        analysis=analysis,
    )


def token_service(
    settings: Settings, disabled: Callable[[str], bool] | None = None
) -> TokenService:
    """Tokens signed with the configured secret, or the one generated under the data folder;
    ``disabled`` says which users' tokens to refuse."""
    secret = load_or_create_secret(
        settings.jwt_secret.get_secret_value() if settings.jwt_secret else None,
        settings.jwt_secret_file,
    )
    return TokenService(secret, disabled)


def webhook_guard(settings: Settings, registry: CollectorRegistry) -> WebhookGuard:
    """The webhook's secret, origin and throttle checks as configured, counted in
    ``registry``."""
    guard = WebhookGuard(
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
        allowlist=settings.webhook_allowed_ips if settings.webhook_ip_allowlist else None,
        trust_proxy=settings.trust_proxy,
        trusted_proxies=settings.trusted_proxies,
        auth_failures_per_min=settings.webhook_auth_failures_per_min,
    )
    webhook_auth_counters(registry, guard)
    return guard
