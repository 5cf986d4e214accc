"""The decision engine: a score, a call, levels and a size for one ticker.

1. **Score.** Each component (:mod:`.components`) scores 0–100; the raw score is their
   weighted mean (``AnalyzerSettings.weights``, divided by their sum). A component without
   data counts as a neutral 50 (it pulls the score toward "no lean", as no evidence should).
2. **Call.** BUY when the raw score is at or above ``buy_threshold`` (60), SELL at or below
   ``sell_threshold`` (40), HOLD between.
3. **Probability.** ``probability_score`` is the raw score passed through the calibration
   (:mod:`.calibration`): the share of past long entries at that score that reached their
   target before their stop, in percent. Uncalibrated it is the raw score, and says so.
4. **Levels** (:func:`place_levels`) and **size** (:mod:`.sizing`).

The same code scores a live snapshot and every bar of a backtest: :meth:`DecisionEngine.scores`
computes a whole series bar by bar from the bars up to each, and a live analysis is its last
bar.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from tradewire.analysis import components as parts
from tradewire.analysis.calibration import Calibrator
from tradewire.analysis.components import Component, Frame, IndicatorColumns
from tradewire.analysis.config import AnalyzerSettings, IndicatorSettings
from tradewire.analysis.levels import levels_around
from tradewire.analysis.patterns import Pattern, find_patterns
from tradewire.analysis.sizing import AccountView, PositionSize, size_shares

#: Component names: the seed's five, then the multi-timeframe agreement.
COMPONENTS = (
    "technical_analysis",
    "market_context",
    "sentiment",
    "volume",
    "seasonality",
    "multi_timeframe",
)
TIMEFRAMES = (("1d", 86_400), ("4h", 14_400), ("1h", 3_600))


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketInputs:
    """What one analysis reads: ``frames`` by timeframe name (``1d``, ``4h``, ``1h``; any
    other name is a series of its own spacing), the market proxies' bars in ``context``, the
    latest ``price``, and where and when the data came from."""

    ticker: str
    frames: Mapping[str, Frame]
    price: float
    as_of_ns: int
    data_source: str
    age_s: float = 0.0
    context: Mapping[str, Frame] = field(default_factory=dict)
    sentiment: float | None = None

    @property
    def primary(self) -> str:
        """The series the score is computed on: the daily one if there is one, else the
        coarsest given."""
        return max(self.frames, key=lambda name: spacing_s(self.frames[name]))


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    """Every bar's component scores (NaN: no data) and raw score, and what the last bar's
    technical score read."""

    raw: np.ndarray
    components: dict[str, np.ndarray]
    indicators: IndicatorColumns
    technical_parts: dict[str, np.ndarray]
    flow: np.ndarray
    season_mean: np.ndarray
    votes: dict[str, np.ndarray]


@dataclass(frozen=True, slots=True, kw_only=True)
class Levels:
    """Entry, stop and target of the side the score leans to, where each came from, and the
    reward:risk those three prices give."""

    side: str
    entry: float
    stop: float
    target: float
    stop_from: str
    target_from: str

    @property
    def r_r_ratio(self) -> float:
        return abs(self.target - self.entry) / abs(self.entry - self.stop)


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """One ticker analysed: the score, the call, each component, levels and size."""

    inputs: MarketInputs
    raw_score: float
    probability: float
    signal: str
    components: dict[str, Component]
    weights: dict[str, float]
    patterns: tuple[Pattern, ...]
    levels: Levels | None
    size: PositionSize | None
    calibration: Calibrator
    #: The BUY and SELL thresholds the call was made with.
    thresholds: tuple[float, float]


class DecisionEngine:
    """Score, call, levels and size of a ticker from its bars."""

    def __init__(
        self, settings: AnalyzerSettings, periods: IndicatorSettings, calibrator: Calibrator
    ) -> None:
        self.settings = settings
        self.periods = periods
        self.calibrator = calibrator
        weights = settings.weights.model_dump()
        total = sum(weights.values())
        self.weights = {name: weights[name] / total for name in COMPONENTS}

    # --- scores -----------------------------------------------------------------------------

    def scores(self, inputs: MarketInputs, *, start: int = 0, primary: str | None = None) -> Scores:
        """Score every bar of the primary series (patterns from bar ``start`` on: before it
        the technical score goes without them)."""
        frame = inputs.frames[primary or inputs.primary]
        ind = IndicatorColumns.of(frame, self.periods)
        technical, technical_parts = parts.technical(
            frame, ind, self.settings.technical, start=start
        )
        n = len(frame.close)
        season, season_mean = parts.seasonality(frame)
        flow = parts.volume_flow(frame)
        votes = self._votes(inputs, frame)
        components = {
            "technical_analysis": technical,
            "market_context": parts.market_context(frame.ts, inputs.context),
            "sentiment": np.full(n, np.nan if inputs.sentiment is None else inputs.sentiment),
            "volume": parts.NEUTRAL + 50 * flow,
            "seasonality": season,
            "multi_timeframe": _agreement(votes, n),
        }
        raw = np.zeros(n)
        for name in COMPONENTS:
            raw += self.weights[name] * np.nan_to_num(components[name], nan=parts.NEUTRAL)
        return Scores(
            raw=raw,
            components=components,
            indicators=ind,
            technical_parts=technical_parts,
            flow=flow,
            season_mean=season_mean,
            votes=votes,
        )

    def call(self, raw: float) -> str:
        """Return BUY, SELL or HOLD for a raw score."""
        if raw >= self.settings.buy_threshold:
            return "BUY"
        if raw <= self.settings.sell_threshold:
            return "SELL"
        return "HOLD"

    def _votes(self, inputs: MarketInputs, frame: Frame) -> dict[str, np.ndarray]:
        """Each timeframe's trend vote per bar of ``frame``: from its own series when one is
        given (its latest vote, at the last bar), else built from ``frame`` when it is finer."""
        step = spacing_s(frame)
        votes: dict[str, np.ndarray] = {}
        for name, seconds in TIMEFRAMES:
            given = inputs.frames.get(name)
            if given is not None and given is not frame:
                vote = np.full(len(frame.close), np.nan)
                vote[-1] = parts.last_vote(given, self.periods)
                votes[name] = vote
            elif step <= seconds:
                votes[name] = parts.trend_votes(frame, seconds, self.periods)
        return votes

    # --- one analysis -----------------------------------------------------------------------

    def analyze(self, inputs: MarketInputs, account: AccountView) -> Analysis:
        """Return the analysis at the last bar, with levels and a size for ``account``."""
        primary = inputs.primary
        frame = inputs.frames[primary]
        if not len(frame.close):
            raise ValueError(f"no bars of {inputs.ticker} to analyse")
        scores = self.scores(inputs, start=len(frame.close) - 1, primary=primary)
        raw = float(scores.raw[-1])
        window = frame.tail(self.settings.lookback_bars)
        patterns = find_patterns(window.high, window.low, window.close)
        atr = float(scores.indicators.atr[-1])
        levels = place_levels(self.settings, self.periods, window, inputs.price, atr, raw >= 50)
        return Analysis(
            inputs=inputs,
            raw_score=raw,
            probability=float(self.calibrator.probability(raw)) * 100,
            signal=self.call(raw),
            components=self._explained(scores, patterns, inputs),
            weights=self.weights,
            patterns=patterns,
            levels=levels,
            size=size_shares(levels.entry, levels.stop, levels.target, account) if levels else None,
            calibration=self.calibrator,
            thresholds=(self.settings.buy_threshold, self.settings.sell_threshold),
        )

    def _explained(
        self, scores: Scores, patterns: tuple[Pattern, ...], inputs: MarketInputs
    ) -> dict[str, Component]:
        words = {
            "technical_analysis": _technical_words(scores, patterns),
            "market_context": _context_words(inputs, scores),
            "sentiment": "no news source configured" if inputs.sentiment is None else "news",
            "volume": f"up-minus-down volume {scores.flow[-1]:+.0%} over 20 bars"
            if not np.isnan(scores.flow[-1])
            else "no volume in the last 20 bars",
            "seasonality": f"this month averaged {scores.season_mean[-1]:+.1%} in earlier years"
            if not np.isnan(scores.season_mean[-1])
            else "fewer than two earlier years of this month",
            "multi_timeframe": ", ".join(
                f"{name} {_vote_word(v[-1])}" for name, v in scores.votes.items()
            )
            or "no timeframe",
        }
        explained = {}
        for name in COMPONENTS:
            value = float(scores.components[name][-1])
            has_data = not np.isnan(value)
            explained[name] = Component(value if has_data else parts.NEUTRAL, has_data, words[name])
        if not explained["multi_timeframe"].has_data:
            explained["multi_timeframe"] = Component(
                parts.NEUTRAL, False, f"{words['multi_timeframe']}: fewer than two with enough bars"
            )
        return explained


def place_levels(
    settings: AnalyzerSettings,
    periods: IndicatorSettings,
    window: Frame,
    entry: float,
    atr: float,
    long: bool,
) -> Levels | None:
    """Place entry, stop and target (None without an ATR: too few bars).

    The stop goes beyond the nearest support (a long) or resistance (a short) by
    ``level_buffer_atr`` ATR when that level is within ``max_level_stop_atr`` ATR of the
    entry, else ``atr_stop_multiple`` ATR away. The target is the first level on the other
    side further away than the stop, else ``fallback_reward_risk`` times the risk.
    """
    if not atr > 0 or not entry > 0:
        return None
    support, resistance = levels_around(
        window.high,
        window.low,
        entry,
        window=periods.swing_window,
        tolerance_pct=periods.level_tolerance_pct,
    )
    s, sign = settings, 1 if long else -1
    behind, ahead = (support, resistance) if long else (resistance, support)
    stop, stop_from = entry - sign * s.atr_stop_multiple * atr, f"{s.atr_stop_multiple:g} ATR"
    if behind and abs(entry - behind[0].price) <= s.max_level_stop_atr * atr:
        stop = behind[0].price - sign * s.level_buffer_atr * atr
        stop_from = f"{'support' if long else 'resistance'} {behind[0].price:.6g}"
    risk = abs(entry - stop)
    target = entry + sign * s.fallback_reward_risk * risk
    target_from = f"{s.fallback_reward_risk:g}× the risk"
    beyond = next((level for level in ahead if abs(level.price - entry) > risk), None)
    if beyond is not None:
        target = beyond.price
        target_from = f"{'resistance' if long else 'support'} {beyond.price:.6g}"
    return Levels(
        side="long" if long else "short",
        entry=price_digits(entry),
        stop=price_digits(stop),
        target=price_digits(target),
        stop_from=stop_from,
        target_from=target_from,
    )


def price_digits(price: float) -> float:
    """Round a level as it is shown: six significant digits, never fewer than two decimals
    (1224.71, 1.07160, 0.0123456). The reward:risk and the size are computed from the shown
    prices, so they agree with what the trader reads."""
    if price == 0 or not math.isfinite(price):
        return price
    return round(price, max(2, 5 - math.floor(math.log10(abs(price)))))


def spacing_s(frame: Frame) -> float:
    """Return the median spacing of ``frame``'s bars in seconds (a day for one bar)."""
    if len(frame.ts) < 2:
        return 86_400.0
    return float(np.median(np.diff(frame.ts[-500:]))) / parts.NS_PER_S


def _agreement(votes: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    if not votes:
        return np.full(n, np.nan)
    stacked = np.vstack(list(votes.values()))
    known = (~np.isnan(stacked)).sum(axis=0)
    total = np.nansum(stacked, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known >= 2, parts.NEUTRAL + 50 * total / np.maximum(known, 1), np.nan)


def _technical_words(scores: Scores, patterns: tuple[Pattern, ...]) -> str:
    ind = scores.indicators
    words = []
    if not np.isnan(ind.rsi[-1]):
        words.append(f"RSI {ind.rsi[-1]:.1f}")
    if not np.isnan(ind.macd_histogram[-1]):
        words.append(f"MACD histogram {ind.macd_histogram[-1]:+.4g}")
    trend = scores.technical_parts["trend"][-1]
    if not np.isnan(trend):
        words.append({100.0: "EMAs aligned up", 0.0: "EMAs aligned down"}.get(trend, "EMAs mixed"))
    names = ", ".join(p.kind.value.replace("_", " ") for p in patterns)
    words.append(f"patterns: {names or 'none'}")
    return "; ".join(words)


def _context_words(inputs: MarketInputs, scores: Scores) -> str:
    if np.isnan(scores.components["market_context"][-1]):
        return "no market proxy with enough bars"
    words = []
    for ticker, proxy in inputs.context.items():
        if len(proxy.close) > parts.RETURN_BARS:
            change = proxy.close[-1] / proxy.close[-parts.RETURN_BARS - 1] - 1
            words.append(f"{ticker} {change:+.1%} over {parts.RETURN_BARS} bars")
    return ", ".join(words)


def _vote_word(vote: float) -> str:
    if np.isnan(vote):
        return "too short"
    return {1.0: "up", -1.0: "down"}.get(float(vote), "sideways")
