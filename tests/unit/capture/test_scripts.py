import json
import re

import pytest
from pydantic import ValidationError

from tradewire.capture.browser.scripts import PageConfig, ScriptBundle, glob_to_regex
from tradewire.capture.config import CaptureSessionSettings, CaptureSettings
from tradewire.settings import Settings


def test_url_globs_become_anchored_regexes():
    pattern = re.compile(glob_to_regex("https://*.tradovate.com/*"))
    assert pattern.match("https://trader.tradovate.com/welcome")
    assert not pattern.match("https://tradovate.com.evil.example/")
    assert not pattern.match("http://trader.tradovate.com/")


def test_the_bundle_carries_its_account_and_a_newer_version_after_reload():
    bundle = ScriptBundle()
    script = bundle.page_script(PageConfig(account="o'brien", sites={"tradovate": ["*"]}))
    assert json.dumps("o'brien") in script and "TradovateScraperControl" in script
    before = bundle.version
    assert bundle.reload() > before


def test_userscripts_post_to_the_server_and_carry_no_secret():
    script = ScriptBundle().userscript(
        "tradingview", base_url="http://10.0.0.5:6001", match=["https://*.tradingview.com/*"]
    )
    assert script.startswith("// ==UserScript==")
    assert "// @match        https://*.tradingview.com/*" in script
    assert "// @connect      10.0.0.5" in script
    assert '"token": ""' in script and '"webhookSecret": ""' in script
    assert "tradovate_tape" not in script and "TradovateScraperControl" not in script


def test_capture_sessions_are_validated():
    with pytest.raises(ValidationError, match="cdp_url"):
        CaptureSessionSettings(account="a", mode="attach")
    with pytest.raises(ValidationError, match="site"):
        CaptureSessionSettings(account="a", mode="launch")
    with pytest.raises(ValidationError):
        CaptureSessionSettings(account="bad name", mode="launch", site="tradovate")
    with pytest.raises(ValidationError, match="own account"):
        CaptureSettings(sessions=[{"account": "a", "site": "tradovate", "mode": "launch"}] * 2)


def test_sessions_from_the_environment(monkeypatch, tmp_path):
    sessions = [{"account": "desk1", "mode": "attach", "cdp_url": "http://127.0.0.1:9222"}]
    monkeypatch.setenv("TRADEWIRE_CAPTURE__SESSIONS", json.dumps(sessions))
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.capture.sessions[0].cdp_url == "http://127.0.0.1:9222"
