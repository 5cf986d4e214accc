"""The webhook secret is unset (no secret asked) or long enough; never empty, never echoed."""

import pytest
from pydantic import ValidationError

from tradewire.settings import Settings


@pytest.mark.parametrize("value", ["", " ", "hunter2", "fifteen-chars!!"])
def test_an_empty_or_short_webhook_secret_is_refused_without_echoing_it(monkeypatch, value):
    monkeypatch.setenv("TRADEWIRE_WEBHOOK_SECRET", value)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    (error,) = refused.value.errors()
    assert error["loc"] == ("webhook_secret",)
    assert "16 characters" in error["msg"]
    if value.strip():
        assert value not in str(refused.value)


def test_an_unset_or_long_enough_webhook_secret_is_taken(monkeypatch):
    monkeypatch.delenv("TRADEWIRE_WEBHOOK_SECRET", raising=False)
    assert Settings(_env_file=None).webhook_secret is None
    monkeypatch.setenv("TRADEWIRE_WEBHOOK_SECRET", "sixteen-chars-ok")
    secret = Settings(_env_file=None).webhook_secret
    assert secret is not None and secret.get_secret_value() == "sixteen-chars-ok"
