"""``GET /api/marketdata/{ticker}``: quote, candles, indicators, levels, who served it and age."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradewire.api.deps import CollectorDep, PrincipalDep
from tradewire.core.clock import iso_utc
from tradewire.core.events import Indicators, Level, Quote, TimeframeAnalysis
from tradewire.marketdata.cache import CachedSnapshot
from tradewire.marketdata.watchlist import validate_ticker

router = APIRouter(tags=["marketdata"])


@router.get("/api/marketdata/{ticker}", summary="Market snapshot of one ticker")
async def market_data(
    ticker: str,
    collector: CollectorDep,
    _user: PrincipalDep,
    stale: Annotated[
        bool, Query(description="Serve an expired cache entry if the sources fail")
    ] = False,
    bars: Annotated[int, Query(ge=0, le=300, description="Candles per timeframe")] = 100,
) -> dict[str, object]:
    symbol = validate_ticker(ticker)
    cached = await collector.service.snapshot(symbol, allow_stale=stale)
    return {"success": True, **snapshot_to_wire(cached, bars)}


def snapshot_to_wire(cached: CachedSnapshot, bars: int) -> dict[str, object]:
    """Return the snapshot in the API's JSON shape (indicator names as in the seed)."""
    snap = cached.snapshot
    return {
        "ticker": snap.ticker,
        "data_source": snap.data_source.value,
        "stale": snap.stale,
        "age_s": round(cached.age_s, 3),
        "timestamp": iso_utc(snap.ts_init),
        "quote": quote_to_wire(snap.quote),
        "timeframes": {
            t.candles.timeframe.value: timeframe_to_wire(t, bars) for t in snap.timeframes
        },
    }


def quote_to_wire(quote: Quote) -> dict[str, object]:
    return {
        "price": quote.price,
        "change": quote.change,
        "change_percent": quote.change_percent,
        "open": quote.open,
        "high": quote.high,
        "low": quote.low,
        "prev_close": quote.prev_close,
        "volume": quote.volume,
        "data_source": quote.data_source.value,
        "time": iso_utc(quote.ts_event),
    }


def timeframe_to_wire(analysis: TimeframeAnalysis, bars: int) -> dict[str, object]:
    s = analysis.candles
    start = max(0, len(s) - bars)
    return {
        "data_source": s.data_source.value,
        "bars": len(s),
        "candles": [
            {"t": t, "o": o, "h": h, "l": lo, "c": c, "v": v}
            for t, o, h, lo, c, v in zip(
                s.ts[start:], s.open[start:], s.high[start:], s.low[start:], s.close[start:],
                s.volume[start:], strict=True,
            )
        ],
        "indicators": indicators_to_wire(analysis.indicators),
        "levels": {
            "support": [level_to_wire(lv) for lv in analysis.support],
            "resistance": [level_to_wire(lv) for lv in analysis.resistance],
        },
    }  # fmt: skip


def indicators_to_wire(ind: Indicators) -> dict[str, object]:
    fast, mid, slow = ind.ema_periods
    return {
        "rsi": ind.rsi,
        "macd": ind.macd,
        "macd_signal": ind.macd_signal,
        "macd_histogram": ind.macd_histogram,
        "obv": ind.obv,
        f"ema_{fast}": ind.ema_fast,
        f"ema_{mid}": ind.ema_mid,
        f"ema_{slow}": ind.ema_slow,
        "atr": ind.atr,
        "trend": ind.trend.value,
    }


def level_to_wire(level: Level) -> dict[str, object]:
    return {"price": level.price, "touches": level.touches}
