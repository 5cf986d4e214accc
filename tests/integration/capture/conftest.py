"""Shared per module: the simulated pages' server and one attached Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.capture import CHROMIUM, Desk, running_chrome
from tests.support.processes import thread_scheduling
from tradewire.capture.config import CaptureSessionSettings
from tradewire.demo.pages import PageServer


@pytest.fixture(autouse=True)
def loop_thread_untouched() -> Iterator[None]:
    """A session never changes the event loop's thread: the loop is not the session's."""
    before = thread_scheduling()
    yield
    assert thread_scheduling() == before


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


@pytest.fixture(scope="module")
def chrome(tmp_path_factory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is required: run scripts/setup.sh --test")
    with running_chrome(tmp_path_factory.mktemp("chrome")) as cdp_url:
        yield cdp_url


@pytest.fixture
async def desk(tmp_path, pages, chrome) -> AsyncIterator:
    """Start a capturing core: ``await desk("acct")`` attaches to the module's Chromium (keyword
    arguments override capture settings)."""
    desks: list[Desk] = []

    async def make(
        *accounts: str,
        sessions: list[CaptureSessionSettings] | None = None,
        database_url: str | None = None,
        **capture: object,
    ) -> Desk:
        specs = sessions or [
            CaptureSessionSettings(account=a, mode="attach", cdp_url=chrome) for a in accounts
        ]
        desk = Desk(tmp_path / f"desk{len(desks)}", pages, specs, database_url, **capture)
        desks.append(desk)
        return await desk.start()

    yield make
    for desk in desks:
        await desk.stop()
