"""Health, Prometheus metrics and latency statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from tradewire import __version__
from tradewire.api.deps import ContainerDep

router = APIRouter(tags=["system"])


@router.get("/health", summary="Liveness and database reachability")
async def health(container: ContainerDep) -> JSONResponse:
    def ping() -> bool:
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    database_ok = await run_in_threadpool(ping)
    body = {
        "status": "ok" if database_ok else "degraded",
        "version": __version__,
        "database": "ok" if database_ok else "unreachable",
        "subscribers": container.hub.subscriber_count,
        "writes_pending": container.writer.pending,
    }
    return JSONResponse(body, status_code=200 if database_ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(container: ContainerDep) -> Response:
    return Response(generate_latest(container.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/latency", summary="Per-stage latency (ms) over the last 1,000 signals")
async def latency(container: ContainerDep) -> dict[str, object]:
    stats = container.latency.stats()
    return {
        **stats,
        "slowSignals": container.latency.slow_signals,
        "thresholdMs": container.settings.latency_warn_ms,
    }
