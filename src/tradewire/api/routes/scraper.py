"""The seed's scraper API: intake, status, live data, streamed export, config, persist.

``POST /api/scraper/ingest`` needs an ingest token, which stores into its own account only (the
one used when the message names none), or an admin token, for any account; config and persist
need an admin token; reading needs any valid token.
"""

from __future__ import annotations

from itertools import chain
from typing import Annotated

import orjson
import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError
from starlette.concurrency import run_in_threadpool
from starlette.types import Send

from tradewire.api.deps import AdminDep, IngestDep, PrincipalDep, ServicesDep, TapeDep
from tradewire.core.clock import iso_utc
from tradewire.core.errors import PayloadTooLargeError, TradewireError, ValidationError
from tradewire.tape.config import ScraperSettings
from tradewire.tape.export import FORMATS, date_range, ending_in_failure_marker, writer_for
from tradewire.tape.ports import TradeQuery
from tradewire.tape.schema import decode_scraped
from tradewire.tape.service import IngestResult

router = APIRouter(tags=["scraper"])
log = structlog.get_logger(__name__)

Account = Annotated[str | None, Query(min_length=1, max_length=100)]
Symbol = Annotated[str | None, Query(min_length=1, max_length=32)]


class ConfigPatch(BaseModel):
    """Any subset of the scraper settings; unknown names are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool | None = None
    interval: int | None = Field(None, ge=50, le=60_000)
    volume_filter: int | None = Field(None, ge=0)
    debug: bool | None = None
    persist_interval: int | None = Field(None, ge=1, le=3600)
    buffer_size: int | None = Field(None, ge=1, le=1_000_000)
    days_to_keep: int | None = Field(None, ge=1, le=3650)
    auto_start: bool | None = None


async def json_body(request: Request, limit: int) -> object:
    """The request's JSON body, refused with 413 past ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"body over {limit} bytes")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise PayloadTooLargeError(f"body over {limit} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"body is not valid JSON: {exc}") from exc


class ExportStream(StreamingResponse):
    """A streamed export that, should it fail once started, ends with the format's failure
    marker and leaves the chunked transfer unterminated: the server then closes the connection,
    so no client can take the part received for the whole export."""

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        chunks = aiter(self.body_iterator)
        while True:
            try:
                chunk = await anext(chunks)
            except StopAsyncIteration:
                break
            except TradewireError as exc:
                # The marker went out as the last chunk; not ending the body aborts the transfer.
                log.error("export failed after it started", error=exc.message)
                return
            except Exception:
                log.exception("export failed after it started")
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


@router.post("/api/scraper/ingest", summary="Ingest one scraped tape message; answers when durable")
async def ingest(request: Request, api: ServicesDep, user: IngestDep) -> dict:
    payload = await json_body(request, api.limits.max_ingest_bytes)
    batch = decode_scraped(
        payload, source="http", received_ns=api.clock.now_ns(), default_account=user.ingest_account
    )
    # A row may name its own account: every one stored into must be the token's to write.
    user.may_ingest_into({batch.account, *(p.account or batch.account for p in batch.prints)})
    result: IngestResult = await api.bus.execute(batch)
    return result.to_wire()


@router.get("/api/scraper/status", summary="Intake state, buffer fill, today's count, lag")
async def status(tape: TapeDep, _user: PrincipalDep) -> dict:
    stats = await run_in_threadpool(tape.stats)
    fill = tape.buffer.fill()
    return {
        "success": True,
        "running": tape.running,
        "enabled": tape.config.enabled,
        "accounts": sorted(set(stats.accounts) | set(fill)),
        "buffer": {"size": tape.buffer.size, "fill": fill},
        "trades_today": stats.since,
        "trades_total": stats.total,
        "last_capture": iso_utc(tape.last_capture_ns) if tape.last_capture_ns else None,
        "last_trade": iso_utc(stats.last_ts_ns) if stats.last_ts_ns else None,
        "persist_lag_ms": round(tape.persist_lag_ms, 3),
        "pending_rows": tape.pending_rows,
        "last_commit_ms": round(tape.last_commit_ms, 3),
        "since_start": dict(tape.totals),
        "config": tape.config.model_dump(),
    }


@router.get("/api/scraper/data", summary="The newest trades from the live buffer")
async def data(
    tape: TapeDep,
    _user: PrincipalDep,
    account: Account = None,
    symbol: Symbol = None,
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 500,
) -> dict:
    rows = tape.buffer.recent(
        account=account, symbol=symbol.upper() if symbol else None, limit=limit
    )
    return {"success": True, "count": len(rows), "trades": [t.to_wire() for t in rows]}


@router.get("/api/scraper/export", summary="Stored trades as json, csv or parquet (streamed)")
async def export(
    tape: TapeDep,
    _user: PrincipalDep,
    format: Annotated[str, Query(max_length=10)] = "json",
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    account: Account = None,
    symbol: Symbol = None,
) -> StreamingResponse:
    write = writer_for(format)
    since, until = date_range(start_date, end_date)
    query = TradeQuery(
        account=account, symbol=symbol.upper() if symbol else None, since_ns=since, until_ns=until
    )
    fmt = format.lower()
    name = f"trades_{start_date or 'all'}_{end_date or 'now'}.{fmt}".replace(":", "")
    rows = tape.rows(query)
    # The first chunk before the status line: a database that cannot answer is a 503 the
    # client can retry, not a 200 cut short.
    first = await run_in_threadpool(next, rows, None)
    chunks = rows if first is None else chain([first], rows)
    # Sync generators: Starlette runs each step in a worker thread, so the database cursor
    # never blocks the event loop and only one chunk is in memory at a time.
    return ExportStream(
        ending_in_failure_marker(fmt, write(chunks)),
        media_type=FORMATS[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/scraper/config", summary="The current scraper settings")
async def get_config(tape: TapeDep, _user: PrincipalDep) -> dict:
    return {"success": True, "config": tape.config.model_dump()}


@router.post("/api/scraper/config", summary="Change scraper settings; pushed live to pages")
async def set_config(request: Request, tape: TapeDep, _admin: AdminDep) -> dict:
    payload = await json_body(request, 64 * 1024)
    try:
        patch = ConfigPatch.model_validate(payload)
        merged = ScraperSettings.model_validate(
            {**tape.config.model_dump(), **patch.model_dump(exclude_none=True)}
        )
    except PydanticError as exc:
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(reason) from exc
    changed = await tape.set_config(merged)
    return {"success": True, "changed": changed, "config": tape.config.model_dump()}


@router.post("/api/scraper/persist", summary="Flush now; report what was flushed")
async def persist(tape: TapeDep, _admin: AdminDep) -> dict:
    result = await tape.persist()
    return {
        "success": True,
        "flushed": result.flushed,
        "pending": result.pending,
        "took_ms": round(result.took_ms, 3),
    }
