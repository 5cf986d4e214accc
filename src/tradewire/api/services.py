"""What the HTTP and WebSocket front end works with, handed in by the composition root.

The API knows the services it calls and nothing of how they were built: no engine, no store,
no settings object. Optional services are None when they are not configured; their routes then
answer 503 with a reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from tradewire.api.auth import TokenService
from tradewire.api.ws_sessions import UserConnections
from tradewire.capture.browser.service import CaptureService
from tradewire.capture.webhook import WebhookGuard
from tradewire.core.bus import MessageBus
from tradewire.core.clock import Clock
from tradewire.marketdata.collector import Collector
from tradewire.marketdata.decisions import AnalysisService
from tradewire.marketdata.feeds import PriceService
from tradewire.signals.hub import SignalHub
from tradewire.signals.latency import LatencyTracker
from tradewire.signals.pipeline import SignalPipeline
from tradewire.signals.ports import SignalStore
from tradewire.tape.service import TapeService
from tradewire.trading.desk import PaperDesk
from tradewire.users.service import UserService


@dataclass(frozen=True, slots=True)
class WsLimits:
    """What one WebSocket client may send: messages of at most ``max_message_bytes``, and
    ``message_burst`` messages at once, refilled at ``messages_per_s``."""

    max_message_bytes: int
    messages_per_s: float
    message_burst: int


@dataclass(frozen=True, slots=True)
class ApiLimits:
    """The front end's own settings."""

    ws: WsLimits
    max_body_bytes: int
    max_ingest_bytes: int
    webhook_timeout_s: float
    latency_warn_ms: float
    #: /metrics and the collector status without a token (as the seed); False asks for one.
    open_status_endpoints: bool


@dataclass(frozen=True, slots=True)
class Health:
    """Liveness probes: whether the database answers, whether writes to it succeed (probed
    while they have been failing), and how many writes wait for it."""

    database_ok: Callable[[], bool]
    writes_ok: Callable[[], Awaitable[bool]]
    writes_pending: Callable[[], int]


@dataclass(frozen=True, slots=True)
class ApiServices:
    """Every service a route or the WebSocket may call, and the app's start and stop."""

    limits: ApiLimits
    clock: Clock
    bus: MessageBus
    tokens: TokenService
    webhook_guard: WebhookGuard
    pipeline: SignalPipeline
    hub: SignalHub
    latency: LatencyTracker
    signals: SignalStore
    health: Health
    registry: CollectorRegistry
    users: UserService
    #: Open WebSocket connections by user (closed when the user is disabled).
    connections: UserConnections
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]
    tape: TapeService | None = None
    collector: Collector | None = None
    capture: CaptureService | None = None
    prices: PriceService | None = None
    paper: PaperDesk | None = None
    analysis: AnalysisService | None = None
