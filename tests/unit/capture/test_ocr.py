from pathlib import Path

import pytest

from tradewire.capture.ocr import OcrLine, OcrResult, TesseractOcr, alert_message, parse_tsv
from tradewire.core.errors import RetryableError

HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)


def word(line: int, text: str, conf: float) -> str:
    return f"5\t1\t1\t1\t{line}\t1\t0\t0\t10\t10\t{conf}\t{text}"


def test_words_are_grouped_into_lines_with_mean_confidence():
    tsv = "\n".join(
        [
            HEADER,
            "4\t1\t1\t1\t1\t0\t0\t0\t10\t10\t-1\t",
            word(1, "Alert", 90),
            word(1, "on", 80),
            word(2, "BTC/USDT", 95),
            word(2, "LONG", 85),
            word(2, "", 10),
        ]
    )
    result = parse_tsv(tsv)
    assert result.lines == (OcrLine("Alert on", 85.0), OcrLine("BTC/USDT LONG", 90.0))


def test_the_message_is_neither_the_title_nor_the_time():
    result = OcrResult(
        (
            OcrLine("Alert on BTCUSDT", 95),
            OcrLine("BTC/USDT LONG @ 45000", 88),
            OcrLine("My alert", 91),
            OcrLine("12:34:56", 97),
        )
    )
    assert alert_message(result) == OcrLine("BTC/USDT LONG @ 45000", 88)
    assert alert_message(OcrResult((OcrLine("Alert on X", 90),))) is None


async def test_missing_tesseract_is_retryable(tmp_path):
    with pytest.raises(RetryableError):
        await TesseractOcr(Path(tmp_path / "no-tesseract")).read(b"")


@pytest.mark.skipif(not Path("/usr/bin/tesseract").exists(), reason="tesseract not installed")
async def test_tesseract_refuses_a_non_image():
    with pytest.raises(RetryableError):
        await TesseractOcr().read(b"not a png")
