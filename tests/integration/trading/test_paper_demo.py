"""``tradewire demo``: its simulated alerts open paper positions for the demo user at the replay
prices, and some of them close again (take-profit, stop, or an opposite alert)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from tests.support.services import free_port
from tradewire.bootstrap.trading import open_journal
from tradewire.settings import Settings
from tradewire.trading.events import PositionClosed, PositionOpened


def test_the_demo_trades_its_alerts_on_paper(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")}
    command = ["demo", "--port", str(port), "--rate", "5", "--duration", "20"]
    demo = subprocess.run(
        [sys.executable, "-m", "tradewire", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert f"http://127.0.0.1:{port}/api/paper/positions" in demo.stderr  # where to look

    async def demo_events() -> list:
        async with open_journal(Settings(data_dir=tmp_path / "data")) as journal:
            assert await journal.accounts() == ["demo"]
            return await journal.read("demo")

    events = asyncio.run(demo_events())
    opened = {e.position.symbol for e in events if isinstance(e, PositionOpened)}
    assert len(opened) >= 2, opened
    assert any(isinstance(e, PositionClosed) for e in events)
