"""Secrets in library log lines are blanked."""

import logging

from tradewire.logs import RedactSecrets


def record(msg, *args):
    return logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, None)


def test_tokens_and_webhook_secrets_are_blanked():
    redact = RedactSecrets()
    ws = record('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", "/ws?token=eyJhbGc.abc.def&x=1")
    assert redact.filter(ws)
    assert ws.getMessage() == '127.0.0.1:5 - "WebSocket /ws?token=***&x=1" [accepted]'
    hook = record("POST /webhook/tradingview/hunter2 200")
    redact.filter(hook)
    assert "hunter2" not in hook.getMessage()
    plain = record("nothing %s here", "secret-free")
    redact.filter(plain)
    assert plain.getMessage() == "nothing secret-free here"


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
