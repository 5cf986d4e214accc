"""One real server for the fuzzers, and a tally of what they sent.

Every test here fails on a 5xx, on an answer slower than ``ANSWER_WITHIN_S`` and on a server that
stops answering. ``TRADEWIRE_FUZZ_EXAMPLES`` sets the examples per test (bench/fuzz.py raises it);
``TRADEWIRE_FUZZ_REPORT`` names a JSON file the tally is written to.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, settings

from tests.support.server import ServerProcess

SECRET = "fuzzing-webhook-secret-0123456789"
ANSWER_WITHIN_S = 5.0
EXAMPLES = int(os.environ.get("TRADEWIRE_FUZZ_EXAMPLES", "0")) or None

#: Hypothesis settings for every fuzzer: examples from the environment (else the test's own
#: default), no per-example deadline (the HTTP timeout is the hang check), and no example
#: database, so the suite's examples do not depend on earlier runs.
fuzz_settings = settings(
    deadline=None,
    database=None,
    derandomize=EXAMPLES is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def examples(default: int) -> int:
    return EXAMPLES or default


@dataclass
class Tally:
    """Requests per target by status, and the slowest answer."""

    statuses: dict[str, Counter] = field(default_factory=dict)
    slowest_s: float = 0.0

    def record(self, target: str, response: httpx.Response) -> None:
        """Count ``response``; fail on a server error."""
        self.count(target, response.status_code, response.elapsed.total_seconds())
        assert response.status_code < 500, f"{target}: {response.status_code} {response.text}"

    def count(self, target: str, status: int, elapsed_s: float) -> None:
        self.statuses.setdefault(target, Counter())[status] += 1
        self.slowest_s = max(self.slowest_s, elapsed_s)

    def as_dict(self) -> dict[str, object]:
        return {
            "requests": sum(sum(c.values()) for c in self.statuses.values()),
            "slowest_s": round(self.slowest_s, 3),
            "by_target": {t: dict(sorted(c.items())) for t, c in self.statuses.items()},
        }


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    tally = Tally()
    yield tally
    if report := os.environ.get("TRADEWIRE_FUZZ_REPORT"):
        Path(report).write_text(json.dumps(tally.as_dict(), indent=2))


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory) -> Iterator[ServerProcess]:
    """A server on replay market data (no network), with a webhook secret."""
    server = ServerProcess(
        tmp_path_factory.mktemp("fuzz"),
        {
            "TRADEWIRE_WEBHOOK_SECRET": SECRET,
            "TRADEWIRE_QUOTE_PROVIDERS": '["replay"]',
            "TRADEWIRE_CANDLE_PROVIDERS": '["replay"]',
            "TRADEWIRE_WEBHOOK_AUTH_FAILURES_PER_MIN": "100000",
        },
    ).start()
    yield server
    server.stop()


@pytest.fixture
def client(fuzz_server: ServerProcess) -> Iterator[httpx.Client]:
    """An HTTP client for the fuzz server; after the test, the server must still answer."""
    with httpx.Client(base_url=fuzz_server.base_url, timeout=ANSWER_WITHIN_S) as client:
        yield client
        assert fuzz_server.proc is not None and fuzz_server.proc.poll() is None, "server died"
        assert client.get("/health").status_code in (200, 503), "server stopped answering"
