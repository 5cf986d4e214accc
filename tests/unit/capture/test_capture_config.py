"""Page patterns from the environment: one glob as written, or a JSON list of them."""

import pytest

from tradewire.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in list(__import__("os").environ):
        if key.startswith("TRADEWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env file


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://*.tradovate.com/*", ("https://*.tradovate.com/*",)),
        ("  https://trader.example.com/*  ", ("https://trader.example.com/*",)),
        (
            '["https://a.example.com/*", "file:///tmp/*"]',
            ("https://a.example.com/*", "file:///tmp/*"),
        ),
        (' ["https://a.example.com/*"] ', ("https://a.example.com/*",)),
    ],
)
def test_a_single_pattern_or_a_json_list(monkeypatch, value, expected):
    monkeypatch.setenv("TRADEWIRE_CAPTURE__TRADOVATE_URLS", value)
    monkeypatch.setenv("TRADEWIRE_CAPTURE__TRADINGVIEW_URLS", value)
    capture = Settings().capture
    assert capture.tradovate_urls == expected and capture.tradingview_urls == expected


@pytest.mark.parametrize("value", ["", "   ", "[]", '["a", ""]', '["a", 1]', "[oops"])
def test_no_pattern_an_empty_one_or_broken_json_is_refused(monkeypatch, value):
    monkeypatch.setenv("TRADEWIRE_CAPTURE__TRADOVATE_URLS", value)
    with pytest.raises(ValueError, match="tradovate_urls"):
        Settings()


def test_code_may_still_pass_a_tuple_or_list():
    settings = Settings(capture={"tradovate_urls": ["https://a.example.com/*"]})
    assert settings.capture.tradovate_urls == ("https://a.example.com/*",)
