"""`tradewire demo` on its embedded defaults: signals flow with no network and no accounts."""

import os
import sqlite3
import subprocess
import sys
import time

from tests.support.server import ServerProcess
from tests.support.services import free_port
from tests.support.waiting import wait_until


def test_demo_runs_and_signals_flow(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEWIRE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradewire",
            "demo",
            "--port",
            str(port),
            "--rate",
            "20",
            "--duration",
            # Long enough for a dozen accepted alerts even on a busy machine (65 alerts in 4 s
            # when quiet, 12 seen under load).
            "8",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"http://127.0.0.1:{port}/?token=" in result.stderr  # it says where to look
    db = sqlite3.connect(tmp_path / "data" / "tradewire.db")
    statuses = dict(db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall())
    signals = db.execute("SELECT count(DISTINCT pair) FROM signals").fetchone()[0]
    assert statuses.get("accepted", 0) >= 10
    assert statuses.get("rejected", 0) >= 1  # the demo shows rejections too
    assert signals >= 3
    # the demo's ephemeral webhook secret never reaches the database or the output
    bodies = " ".join(row[0] for row in db.execute("SELECT body FROM alerts"))
    assert "passphrase" not in bodies or '"***"' in bodies


def test_an_interrupted_demo_stops_its_sources_before_its_server(tmp_path):
    """SIGTERM mid-run: the simulated sources stop first, so none of them reports a post to a
    server that is already closing."""
    demo = ServerProcess(tmp_path / "data", command="demo").start()
    try:
        # The sources post several times a second; give them time to be mid-flight.
        wait_until(lambda: "demo" in demo.log_path.read_text(), timeout=10, interval=0.1)
        time.sleep(3)
    finally:
        demo.stop()
    log = demo.log_path.read_text()
    assert demo.proc is not None and demo.proc.returncode is not None
    assert "not delivered" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
