"""Build the in-page scripts: the CDP bundle and the standalone Tampermonkey userscripts.

Both are made from the same sources in ``scripts/``: ``runtime.js`` (namespace, transport),
``tradovate_tape.js`` and ``tradingview_alerts.js``. Only the configuration prologue differs.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tradewire import __version__

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
BINDING = "__tradewireEmit"
Site = Literal["tradovate", "tradingview"]
#: Each site's sources, concatenated in one scope (the ``*_dom.js`` file holds its selectors).
SITE_SCRIPTS: dict[str, tuple[str, ...]] = {
    "tradovate": ("tradovate_dom.js", "tradovate_tape.js"),
    "tradingview": ("tradingview_alerts.js",),
}
_TITLES = {"tradovate": "Tradovate trade tape", "tradingview": "TradingView alert pop-ups"}


def glob_to_regex(glob: str) -> str:
    """Turn a URL glob (``*`` matches anything) into an anchored JavaScript regex source."""
    return "^" + ".*".join(re.escape(part) for part in glob.split("*")) + "$"


@dataclass(frozen=True, slots=True)
class PageConfig:
    """What the injected bundle is told about its session."""

    account: str
    sites: dict[str, list[str]]
    auto_start: bool = True
    debug: bool = False


class ScriptBundle:
    """The in-page sources, read from disk; :meth:`reload` picks up edits."""

    def __init__(self, directory: Path = SCRIPTS_DIR) -> None:
        self._dir = directory
        self.version = 0
        self._sources: dict[str, str] = {}
        self.reload()

    def reload(self) -> int:
        """Re-read the sources and return the new version (newer versions replace older ones)."""
        names = ["runtime.js", *(name for files in SITE_SCRIPTS.values() for name in files)]
        self._sources = {name: (self._dir / name).read_text(encoding="utf-8") for name in names}
        self.version = max(self.version + 1, time.time_ns() // 1_000_000)
        return self.version

    def _body(self, config: dict[str, object], sites: list[str]) -> str:
        parts = [
            f"const TRADEWIRE_CONFIG = {json.dumps(config)};",
            f"const TRADEWIRE_VERSION = {self.version};",
            self._sources["runtime.js"],
            # Each site script in its own scope: they share helper names.
            *(f"(() => {{\n{self._site(site)}\n}})();" for site in sites),
        ]
        return "\n".join(parts)

    def _site(self, site: str) -> str:
        return "\n".join(self._sources[name] for name in SITE_SCRIPTS[site])

    def page_script(self, config: PageConfig) -> str:
        """The bundle injected over CDP: both site scripts, each active only on its pages."""
        settings = {
            "account": config.account,
            "transport": "binding",
            "binding": BINDING,
            "autoStart": config.auto_start,
            "debug": config.debug,
            "consoleData": False,
            "sites": {
                site: [glob_to_regex(g) for g in globs] for site, globs in config.sites.items()
            },
        }
        return "(() => {\n" + self._body(settings, list(SITE_SCRIPTS)) + "\n})();\n"

    def userscript(self, site: Site, *, base_url: str, match: list[str]) -> str:
        """A Tampermonkey userscript for ``site`` that POSTs to the server at ``base_url``.

        The account, API token and webhook secret are left for the user to fill in: the server
        never writes a secret into a file it serves.
        """
        settings = {
            "account": "default",
            "transport": "http",
            "baseUrl": base_url,
            "token": "",
            "webhookSecret": "",
            "consoleData": site == "tradovate",
            "autoStart": False,
            "debug": False,
            "sites": {site: [glob_to_regex(g) for g in match]},
        }
        host = re.sub(r"^https?://([^/:]+).*$", r"\1", base_url)
        header = [
            "// ==UserScript==",
            f"// @name         tradewire: {_TITLES[site]}",
            "// @namespace    tradewire",
            f"// @version      {__version__}",
            *(f"// @match        {glob}" for glob in match),
            "// @grant        GM_xmlhttpRequest",
            f"// @connect      {host}",
            "// @run-at       document-start",
            "// ==/UserScript==",
            "// Edit `account`, and `token` / `webhookSecret` if your server requires them.",
        ]
        return "\n".join(header) + "\n(() => {\n" + self._body(settings, [site]) + "\n})();\n"
