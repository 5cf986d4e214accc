"""Health, Prometheus metrics and latency statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from tradewire import __version__
from tradewire.api.deps import ServicesDep, StatusReaderDep

router = APIRouter(tags=["system"])


@router.get("/health", summary="Liveness and database reachability")
async def health(api: ServicesDep) -> JSONResponse:
    database_ok = await run_in_threadpool(api.health.database_ok)
    body = {
        "status": "ok" if database_ok else "degraded",
        "version": __version__,
        "database": "ok" if database_ok else "unreachable",
        "subscribers": api.hub.subscriber_count,
        "writes_pending": api.health.writes_pending(),
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)


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
