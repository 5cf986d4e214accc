"""The analysis package's settings section: indicator periods and swing detection."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class IndicatorSettings(BaseModel):
    """Indicator periods (TA-Lib) and the swing detection used for support/resistance."""

    model_config = ConfigDict(frozen=True)

    rsi: int = Field(14, ge=2, le=500)
    macd_fast: int = Field(12, ge=2, le=500)
    macd_slow: int = Field(26, ge=3, le=500)
    macd_signal: int = Field(9, ge=2, le=500)
    ema_fast: int = Field(20, ge=2, le=1000)
    ema_mid: int = Field(50, ge=2, le=1000)
    ema_slow: int = Field(200, ge=2, le=1000)
    atr: int = Field(14, ge=2, le=500)
    swing_window: int = Field(3, ge=1, le=50, description="bars each side of a swing point")
    level_tolerance_pct: float = Field(0.5, gt=0, le=20, description="cluster width, % of price")

    @model_validator(mode="after")
    def _ordered(self) -> IndicatorSettings:
        if not self.macd_fast < self.macd_slow:
            raise ValueError("macd_fast must be shorter than macd_slow")
        if not self.ema_fast < self.ema_mid < self.ema_slow:
            raise ValueError("EMA periods must satisfy ema_fast < ema_mid < ema_slow")
        return self


class ComponentWeights(BaseModel):
    """How much each component counts in the score (any non-negative numbers; they are
    divided by their sum)."""

    model_config = ConfigDict(frozen=True)

    technical_analysis: float = Field(0.35, ge=0)
    market_context: float = Field(0.15, ge=0)
    sentiment: float = Field(0.10, ge=0)
    volume: float = Field(0.10, ge=0)
    seasonality: float = Field(0.05, ge=0)
    multi_timeframe: float = Field(0.25, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> ComponentWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one component weight must be positive")
        return self


class TechnicalWeights(BaseModel):
    """How the technical component's parts are mixed (divided by their sum)."""

    model_config = ConfigDict(frozen=True)

    trend: float = Field(0.40, ge=0)
    momentum: float = Field(0.25, ge=0)
    rsi: float = Field(0.20, ge=0)
    patterns: float = Field(0.15, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> TechnicalWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one technical weight must be positive")
        return self


class AnalyzerSettings(BaseModel):
    """The decision engine: weights, the BUY/SELL thresholds, how levels are placed, and
    whether its calls are published as signals."""

    model_config = ConfigDict(frozen=True)

    weights: ComponentWeights = Field(default_factory=ComponentWeights)
    technical: TechnicalWeights = Field(default_factory=TechnicalWeights)
    buy_threshold: float = Field(60.0, gt=0, lt=100, description="BUY at or above this score")
    sell_threshold: float = Field(40.0, gt=0, lt=100, description="SELL at or below this score")
    context_tickers: tuple[str, ...] = Field(("SPY", "QQQ"), description="the market's proxies")
    lookback_bars: int = Field(300, ge=60, le=5000, description="bars each decision reads")
    atr_stop_multiple: float = Field(2.0, gt=0, le=20, description="stop distance in ATR")
    level_buffer_atr: float = Field(
        0.25, ge=0, le=5, description="a stop sits this many ATR beyond the level it hides behind"
    )
    max_level_stop_atr: float = Field(
        3.0, gt=0, le=50, description="a level further than this many ATR is not used as a stop"
    )
    fallback_reward_risk: float = Field(
        2.0, gt=0, le=20, description="target at this multiple of the risk when no level is found"
    )
    publish_signals: bool = Field(
        False,
        description="publish the engine's BUY/SELL on watchlist tickers as signals (source "
        "analyzer, strategy decision-engine)",
    )
    calibration_file: str | None = Field(
        None, description="a fitted calibration (JSON); unset: the one shipped with tradewire"
    )

    @model_validator(mode="after")
    def _thresholds(self) -> AnalyzerSettings:
        if not self.sell_threshold < self.buy_threshold:
            raise ValueError("sell_threshold must be below buy_threshold")
        return self
