"""Logging: levels, and secrets masked in every event, structlog's and libraries'."""

import logging

import pytest


def test_events_below_the_level_are_dropped_and_the_rest_rendered(capsys):
    import structlog

    from tradewire.logs import configure

    configure("WARNING")
    log = structlog.get_logger("tradewire.test")
    log.info("quiet event", detail=1)
    log.warning("loud event", detail=2)
    err = capsys.readouterr().err
    assert "quiet event" not in err
    assert "loud event" in err and "detail=2" in err
    configure("INFO")
    structlog.get_logger("tradewire.test2").info("now shown")
    assert "now shown" in capsys.readouterr().err


LEAK = "hunter2hunter2xx"


@pytest.mark.parametrize("json", [False, True])
def test_events_carrying_secrets_are_printed_with_the_secrets_masked(capsys, json):
    import structlog

    from tradewire.logs import configure

    configure("INFO", json=json)
    log = structlog.get_logger("tradewire.test.redaction")
    log.info(f"GET /ws?token={LEAK}&x=1 accepted")
    log.warning(
        "alert posted",
        url=f"/webhook/tradingview/{LEAK}",
        password=LEAK,
        detail={"exchange": [{"API-Key": LEAK}], "note": f"passphrase: {LEAK}"},
    )
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5", f"/ws?token={LEAK}&x=1"
    )
    logging.getLogger("some.library").warning("connecting with secret=%s", LEAK)
    logging.getLogger("some.library").warning("nothing %s here", "secret-free")
    try:
        raise ConnectionError(f"GET https://example.invalid/feed?token={LEAK} failed")
    except ConnectionError:
        log.exception("feed failed")
    err = capsys.readouterr().err
    assert "Logging error" not in err
    for shown in ("GET /ws?token=***&x=1 accepted", "alert posted", "/ws?token=***&x=1", "feed"):
        assert shown in err
    assert "/webhook/tradingview/***" in err and "connecting with secret=***" in err
    assert "nothing secret-free here" in err
    assert LEAK not in err
