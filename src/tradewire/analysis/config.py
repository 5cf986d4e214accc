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
