"""The analyst: after each collection cycle, the decision engine's new BUY and SELL calls on the
watchlist go out as signals (opt-in: ``TRADEWIRE_ANALYZER__PUBLISH_SIGNALS``).

A call is sent when it *becomes* BUY or SELL: the last call per ticker is remembered, so a
standing BUY is sent once, not every cycle, and sent again only after the call has been
something else. The alert is a JSON body the generic family parses (``pair``, ``direction``,
``entry``, ``stopLoss``, ``takeProfit``, ``strategy`` ``decision-engine``, with the score in
``text``) and goes through the normal pipeline: duplicate suppression, storage, the WebSocket
broadcast and paper trading for the users who follow the strategy.
"""

from __future__ import annotations

import orjson
import structlog

from tradewire.analysis.analyzer import Analysis
from tradewire.analysis.sizing import AccountView
from tradewire.core.clock import Clock
from tradewire.core.errors import TradewireError
from tradewire.core.events import Alert, AlertSource, AlertStatus, CollectionCycle
from tradewire.core.ids import new_id
from tradewire.marketdata.decisions import AnalysisService
from tradewire.marketdata.watchlist import Watchlist
from tradewire.signals.pipeline import SignalPipeline

log = structlog.get_logger(__name__)

STRATEGY = "decision-engine"
_SIDES = {"BUY": ("LONG", "long"), "SELL": ("SHORT", "short")}


class Analyst:
    """Analyse the watchlist after every collection cycle and publish new BUY/SELL calls."""

    def __init__(
        self,
        analysis: AnalysisService,
        watchlist: Watchlist,
        pipeline: SignalPipeline,
        clock: Clock,
    ) -> None:
        self._analysis = analysis
        self._watchlist = watchlist
        self._pipeline = pipeline
        self._clock = clock
        #: The last call per ticker (BUY, SELL or HOLD) that has been dealt with.
        self.calls: dict[str, str] = {}

    async def on_cycle(self, _cycle: CollectionCycle) -> None:
        """Analyse every watchlist ticker from the cache the cycle just filled."""
        tickers = self._watchlist.tickers
        for gone in set(self.calls) - set(tickers):
            del self.calls[gone]
        for ticker in tickers:
            await self.review(ticker)

    async def review(self, ticker: str) -> None:
        """Analyse ``ticker``; publish its call if it has just become BUY or SELL."""
        try:
            # Only what the cycle collected: the analyst never spends the providers' budget.
            analysis = await self._analysis.analyze(ticker, AccountView(), cached_only=True)
        except TradewireError as exc:
            log.info("no analysis this cycle", ticker=ticker, error=exc.message)
            return
        call = analysis.signal
        if call == self.calls.get(ticker) or call not in _SIDES:
            self.calls[ticker] = call
            return
        try:
            published = await self._publish(analysis)
        except TradewireError as exc:
            # Not remembered: the next cycle tries again, and duplicate suppression catches a
            # signal that did go out before storage failed.
            log.warning("analyzer signal not stored", ticker=ticker, error=exc.message)
            return
        self.calls[ticker] = call
        if published:
            log.info("analyzer signal", ticker=ticker, call=call, score=analysis.raw_score)

    async def _publish(self, analysis: Analysis) -> bool:
        direction, side = _SIDES[analysis.signal]
        levels = analysis.levels
        ticker = analysis.inputs.ticker
        if levels is None or levels.side != side:
            # Too few bars for an ATR, or thresholds set across 50 (levels follow the lean).
            log.warning("analyzer call without matching levels", ticker=ticker)
            return False
        body = {
            "pair": ticker,
            "direction": direction,
            "entry": levels.entry,
            "stopLoss": levels.stop,
            "takeProfit": levels.target,
            "strategy": STRATEGY,
            "text": alert_text(analysis),
        }
        now = self._clock.now_ns()
        alert = Alert(
            id=new_id(),
            source=AlertSource.ANALYZER,
            body=orjson.dumps(body).decode(),
            content_type="application/json",
            ts_event=now,
            ts_init=now,
        )
        processed = await self._pipeline.submit(alert, body)
        if processed.status is AlertStatus.REJECTED:
            log.warning("analyzer alert rejected", ticker=ticker, reason=processed.reason)
        return processed.status is AlertStatus.ACCEPTED


def alert_text(analysis: Analysis) -> str:
    """Return the call in words: ticker, call, score, probability and the reward:risk."""
    calibrated = analysis.calibration.fitted_from != "identity"
    levels = analysis.levels
    words = [
        f"{STRATEGY} {analysis.signal} {analysis.inputs.ticker}",
        f"score {analysis.raw_score:.1f}",
        f"probability {analysis.probability:.1f}%{'' if calibrated else ' (uncalibrated)'}",
    ]
    if levels is not None:
        words.append(f"r:r {levels.r_r_ratio:.2f}")
    return ", ".join(words)
