"""Fuzzed tape messages to the ingest endpoint: answered below 500, bad rows refused by reason."""

from __future__ import annotations

import json

from hypothesis import given, settings

from tests.fuzz.conftest import examples, fuzz_settings
from tests.fuzz.strategies import tape_messages


@settings(fuzz_settings, max_examples=examples(3000))
@given(message=tape_messages)
def test_any_tape_message_gets_an_answer_below_500(client, tally, fuzz_server, message):
    token = fuzz_server.token("fuzz", "admin")
    response = client.post(
        "/api/scraper/ingest",
        content=json.dumps(message),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    tally.record("POST /api/scraper/ingest", response)
    assert response.status_code in (200, 403, 413, 422), response.text
    if response.status_code == 200:
        reply = response.json()
        assert all(row["reason"] for row in reply["rows"] if row["status"] == "rejected")
