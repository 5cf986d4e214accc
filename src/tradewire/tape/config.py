"""The tape package's settings sections: the seed scraper's settings and the tape store's."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ScraperSettings(BaseModel):
    """The seed scraper's settings, with their original names and defaults."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = False
    interval: int = Field(1000, ge=50, le=60_000, description="page scan interval, ms")
    volume_filter: int = Field(0, ge=0)
    debug: bool = False
    persist_interval: int = Field(60, ge=1, le=3600, description="seconds")
    buffer_size: int = Field(1000, ge=1, le=1_000_000)
    days_to_keep: int = Field(7, ge=1, le=3650)
    auto_start: bool = False


class TapeSettings(BaseModel):
    """The trade-tape store: exchange time zone, duplicate window, retention cadence, limits."""

    model_config = ConfigDict(frozen=True)

    exchange_timezone: str = Field(
        "America/Chicago", description="zone of the times the page shows (CME: US/Central)"
    )
    dedupe_window_s: float = Field(
        6 * 3600, ge=60, le=7 * 86400, description="prints newer than this are checked in memory"
    )
    retention_interval_s: float = Field(3600, ge=1, le=86400, description="retention cadence")
    max_ingest_bytes: int = Field(8 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)

    @field_validator("exchange_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
