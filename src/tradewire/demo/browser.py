"""The demo's browser capture: the simulated Tradovate page, headless in Chromium, captured over
the DevTools Protocol exactly as a real one would be (when Chromium is installed)."""

from __future__ import annotations

from tradewire.capture.config import CaptureSessionSettings
from tradewire.demo.pages import PageServer
from tradewire.settings import Settings

DEMO_ACCOUNT = "demo-browser"


def with_browser_capture(settings: Settings) -> tuple[Settings, PageServer | None]:
    """Return settings that also capture the simulated page, and its (started) page server.

    Without Chromium the settings come back unchanged and the server is None.
    """
    capture = settings.capture
    if not capture.chromium_path.exists():
        return settings, None
    pages = PageServer().start()
    session = CaptureSessionSettings(
        account=DEMO_ACCOUNT,
        mode="launch",
        url=pages.url("tradovate.html", rate=20, autostart=1),
    )
    capture = capture.model_copy(
        update={
            "headless": True,
            "sessions": (*capture.sessions, session),
            "tradovate_urls": (*capture.tradovate_urls, pages.base_url + "/tradovate.html*"),
        }
    )
    return settings.model_copy(update={"capture": capture}), pages
