"""A reload while the tape store is down, in real Chromium: what the store refused before the
reload is no longer on screen after it, yet every print is stored exactly once."""

from __future__ import annotations

import pytest

from tests.integration.capture.test_tape import assert_exactly_once, inserted, run_feed
from tests.support.waiting import eventually

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# Every write fails while tape_outage has a row.
_OUTAGE = """
CREATE TABLE tape_outage ();
CREATE FUNCTION refuse_tape_writes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM tape_outage) THEN
    RAISE EXCEPTION 'could not write block: No space left on device';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER refuse_tape_writes BEFORE INSERT ON tape_trades
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_tape_writes();
INSERT INTO tape_outage DEFAULT VALUES;
"""


async def test_prints_refused_before_a_reload_are_stored_once_after_it(desk, pages, database):
    desk = await desk("outage", database_url=database.url)  # migrates the schema
    database.execute(_OUTAGE)
    page = await desk.open("outage", pages.url("tradovate.html", persist=1))
    await page.wait_for_function("window.__sim && window.TradovateScraperControl")
    # Six messages, 60 prints: more than the grid shows, so most are gone from it after the reload.
    await run_feed(page, 10, chunks=6)
    await eventually(
        lambda: page.evaluate("TradovateScraperControl.getData().stats.sendErrors >= 6")
    )
    await page.reload()
    await page.wait_for_function("window.TradovateScraperControl")
    await run_feed(page, 10)
    database.execute("DELETE FROM tape_outage")

    expected = await inserted(page)
    await eventually(
        lambda: assert_exactly_once(desk.stored_prints("outage"), expected) or True, timeout=30
    )
