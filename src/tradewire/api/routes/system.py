"""Health, Prometheus metrics and latency statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from tradewire import __version__
from tradewire.api.deps import ServicesDep, StatusReaderDep

router = APIRouter(tags=["system"])
#: When a probe that found the service unhealthy should look again.
HEALTH_RETRY_AFTER_S = "5"


@router.get(
    "/health", summary="Liveness: 503 while the database is unreachable or writes to it fail"
)
async def health(api: ServicesDep) -> JSONResponse:
    database_ok = await run_in_threadpool(api.health.database_ok)
    writes_ok = await api.health.writes_ok()
    healthy = database_ok and writes_ok
    body = {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "database": "ok" if database_ok else "unreachable",
        # A reachable database may still refuse writes (a full disk, a read-only file).
        "writes": "ok" if writes_ok else "failing",
        "subscribers": api.hub.subscriber_count,
        "writes_pending": api.health.writes_pending(),
    }
    if healthy:
        return JSONResponse(body)
    return JSONResponse(body, status_code=503, headers={"Retry-After": HEALTH_RETRY_AFTER_S})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(api: ServicesDep, _reader: StatusReaderDep) -> Response:
    return Response(generate_latest(api.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/latency", summary="Per-stage latency (ms) over the last 1,000 signals")
async def latency(api: ServicesDep) -> dict[str, object]:
    stats = api.latency.stats()
    return {
        **stats,
        "slowSignals": api.latency.slow_signals,
        "thresholdMs": api.limits.latency_warn_ms,
    }
