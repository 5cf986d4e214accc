"""Read text from an image with Tesseract, keeping per-line confidence.

Used as the fallback when an alert pop-up shows its text as an image: the caller screenshots the
region, :class:`TesseractOcr` reads it, and :func:`alert_message` picks the alert's message line.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from tradewire.core.errors import RetryableError

#: Lines of a pop-up that are not the alert's message: its title and its time stamp.
_TITLE = re.compile(r"^\s*alert\s+on\b", re.IGNORECASE)
_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$")


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of recognised text; ``confidence`` is the mean word confidence, 0-100."""

    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class OcrResult:
    """Every recognised line, top to bottom."""

    lines: tuple[OcrLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class TesseractOcr:
    """Run the ``tesseract`` binary on PNG bytes."""

    def __init__(
        self, binary: Path = Path("/usr/bin/tesseract"), *, lang: str = "eng", timeout: float = 15
    ) -> None:
        self._binary = binary
        self._lang = lang
        self._timeout = timeout

    async def read(self, png: bytes) -> OcrResult:
        """Recognise ``png``; raise RetryableError if Tesseract is missing, fails or hangs."""
        try:
            proc = await asyncio.create_subprocess_exec(
                str(self._binary),
                "stdin",
                "stdout",
                "-l",
                self._lang,
                "--psm",
                "6",
                "tsv",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise RetryableError(f"cannot run tesseract at {self._binary}: {exc}") from exc
        try:
            out, err = await asyncio.wait_for(proc.communicate(png), self._timeout)
        except TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise RetryableError("tesseract timed out") from exc
        if proc.returncode != 0:
            raise RetryableError(f"tesseract failed: {err.decode(errors='replace')[-300:]}")
        return parse_tsv(out.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> OcrResult:
    """Group Tesseract's word rows (level 5) into lines with their mean confidence."""
    lines: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        confidence = float(row["conf"])
        if confidence < 0:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines.setdefault(key, []).append((word, confidence))
    return OcrResult(
        tuple(
            OcrLine(" ".join(w for w, _ in words), sum(c for _, c in words) / len(words))
            for words in lines.values()
        )
    )


def alert_message(result: OcrResult) -> OcrLine | None:
    """The pop-up's message: the longest line that is neither the title nor the time."""
    candidates = [
        line for line in result.lines if not _TITLE.match(line.text) and not _TIME.match(line.text)
    ]
    return max(candidates, key=lambda line: len(line.text), default=None)
