"""A real server answers health, webhook and signals."""

import httpx


def test_server_accepts_alert_and_lists_it(server_factory):
    server = server_factory({"TRADEWIRE_WEBHOOK_SECRET": "s3cret-value-long-enough"})
    resp = httpx.post(
        f"{server.base_url}/webhook/tradingview/s3cret-value-long-enough",
        content="BTC/USDT LONG @ 45000 TP: 46000 SL: 44500",
        headers={"content-type": "text/plain"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "accepted"
    listed = httpx.get(
        f"{server.base_url}/api/signals", headers={"authorization": f"Bearer {server.token()}"}
    ).json()
    assert [s["pair"] for s in listed["signals"]] == ["BTC/USDT"]
    assert listed["signals"][0]["takeProfit"] == 46000
