"""Market data settings: defaults and validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tradewire.settings import Settings


def test_defaults(monkeypatch) -> None:
    for name in ("TRADEWIRE_FINNHUB_BASE_URL", "TRADEWIRE_COLLECTOR_INTERVAL_S"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None)
    assert s.finnhub_base_url == "https://finnhub.io/api/v1"
    assert s.yahoo_base_url == "https://query1.finance.yahoo.com"
    assert (s.collector_interval_s, s.cache_ttl_s, s.finnhub_rate_limit) == (300, 300, 60)
    assert s.quote_providers == ["finnhub", "yahoo"] and s.provider_timeout_s == 10
    assert (s.indicators.rsi, s.indicators.macd_fast, s.indicators.ema_slow) == (14, 12, 200)


def test_base_urls_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("TRADEWIRE_FINNHUB_BASE_URL", "http://127.0.0.1:9999/api/v1/")
    monkeypatch.setenv("TRADEWIRE_INDICATORS__RSI", "7")
    s = Settings(_env_file=None)
    assert s.finnhub_base_url == "http://127.0.0.1:9999/api/v1" and s.indicators.rsi == 7


@pytest.mark.parametrize(
    "bad",
    [
        {"finnhub_base_url": "ftp://example"},
        {"quote_providers": []},
        {"candle_providers": ["yahoo", "yahoo"]},
        {"quote_providers": ["bloomberg"]},
        {"indicators": {"ema_fast": 60, "ema_mid": 50}},
        {"indicators": {"macd_fast": 30}},
        {"collector_interval_s": 0},
    ],
)
def test_rejects(bad) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **bad)
