"""Settings from the environment."""

import pytest
from pydantic import ValidationError

from tradewire.settings import Settings, TuningSettings


def test_defaults_and_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.port == 6001 and settings.db_url.startswith("sqlite:///data/")
    assert settings.scraper.model_dump() == {
        "enabled": False,
        "interval": 1000,
        "volume_filter": 0,
        "debug": False,
        "persist_interval": 60,
        "buffer_size": 1000,
        "days_to_keep": 7,
        "auto_start": False,
    }
    monkeypatch.setenv("TRADEWIRE_PORT", "7000")
    monkeypatch.setenv("TRADEWIRE_SCRAPER__DAYS_TO_KEEP", "3")
    monkeypatch.setenv("TRADEWIRE_WEBHOOK_SECRET", "abc-webhook-secret-0123")
    settings = Settings()
    assert settings.port == 7000 and settings.scraper.days_to_keep == 3
    assert "abc-webhook-secret-0123" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRADEWIRE_PORT", "0"),
        ("TRADEWIRE_PORT", "http"),
        ("TRADEWIRE_ALERT_TEMPLATES", '["(unclosed"]'),
        ("TRADEWIRE_ALERT_TEMPLATES", '["(?P<pair>\\\\S+) only"]'),
        ("TRADEWIRE_WEBHOOK_ALLOWED_IPS", '["1.2.3"]'),
        ("TRADEWIRE_TUNING__WAKEUP_SLICE_US", "50"),
        ("TRADEWIRE_TUNING__WAKEUP_SLICE_US", "100001"),
        ("TRADEWIRE_TUNING__WAKEUP_SLICE_US", "-1"),
        ("TRADEWIRE_TUNING__REALTIME_PRIORITY", "100"),
        ("TRADEWIRE_TUNING__REALTIME_PRIORITY", "-1"),
        ("TRADEWIRE_TUNING__REALTIME_PRIORITY", "high"),
        ("TRADEWIRE_TUNING__SWITCH_INTERVAL_MS", "0"),
        ("TRADEWIRE_TUNING__GC_THRESHOLDS", "[0, 50, 100]"),
        ("TRADEWIRE_TUNING__GC_THRESHOLDS", "[100000, 50]"),
    ],
)
def test_invalid_settings_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize("value", ["0", "100", "100000"])
def test_wakeup_slice_is_off_or_within_the_kernels_range(monkeypatch, value):
    monkeypatch.setenv("TRADEWIRE_TUNING__WAKEUP_SLICE_US", value)
    assert Settings(_env_file=None).tuning.wakeup_slice_us == int(value)


@pytest.mark.parametrize("value", ["0", "1", "99"])
def test_realtime_priority_is_off_or_a_fifo_priority(monkeypatch, value):
    monkeypatch.setenv("TRADEWIRE_TUNING__REALTIME_PRIORITY", value)
    assert Settings(_env_file=None).tuning.realtime_priority == int(value)


def test_tuning_is_off_unless_asked_for(monkeypatch):
    assert Settings(_env_file=None).tuning == TuningSettings()
    assert TuningSettings().model_dump() == {
        "realtime_priority": 0,
        "wakeup_slice_us": 0,
        "yield_after_broadcast": False,
        "switch_interval_ms": None,
        "gc_freeze": False,
        "gc_thresholds": None,
    }
    asked = {
        "REALTIME_PRIORITY": "10",
        "WAKEUP_SLICE_US": "100",
        "YIELD_AFTER_BROADCAST": "true",
        "SWITCH_INTERVAL_MS": "0.5",
        "GC_FREEZE": "true",
        "GC_THRESHOLDS": "[100000, 50, 100]",
    }
    for name, value in asked.items():
        monkeypatch.setenv(f"TRADEWIRE_TUNING__{name}", value)
    assert Settings(_env_file=None).tuning == TuningSettings(
        realtime_priority=10,
        wakeup_slice_us=100,
        yield_after_broadcast=True,
        switch_interval_ms=0.5,
        gc_freeze=True,
        gc_thresholds=(100_000, 50, 100),
    )
