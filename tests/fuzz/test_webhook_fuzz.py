"""Fuzzed webhook bodies: every one is answered below 500, in time, and the server lives on."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import SECRET, examples, fuzz_settings
from tests.fuzz.strategies import alert_bodies

AUTH = st.sampled_from(["path", "none", "wrong"])


@settings(fuzz_settings, max_examples=examples(5000))
@given(body=alert_bodies, auth=AUTH)
def test_any_alert_body_gets_an_answer_below_500(client, tally, body, auth):
    content, content_type = body
    path = {"path": f"/{SECRET}", "none": "", "wrong": "/not-the-secret-at-all"}[auth]
    response = client.post(
        f"/webhook/tradingview{path}", content=content, headers={"content-type": content_type}
    )
    tally.record("POST /webhook/tradingview", response)
    if auth == "wrong":
        assert response.status_code != 200  # never accepted without the secret
    else:
        assert response.status_code in (200, 401, 413, 422), response.text
        assert response.json()["success"] is (response.status_code == 200)
