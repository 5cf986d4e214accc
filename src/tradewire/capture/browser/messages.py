"""What an in-page script may send to Python, validated: the page's DOM is outside input."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

_Text = Annotated[str, Field(max_length=512)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Watermark(_Message):
    """The newest print time a page delivered for a symbol and the print keys at that time."""

    t: float
    keys: list[Annotated[str, Field(max_length=256)]] = Field(max_length=10_000)


class Hello(_Message):
    """A script started in a new document and asks what the session already has."""

    kind: Literal["hello"]
    script: _Text
    url: Annotated[str, Field(max_length=4096)] = ""


class TapeMessage(_Message):
    """New prints for one symbol, in the seed's scraped-data shape (``data``)."""

    kind: Literal["tape"]
    seq: int = Field(ge=0)
    symbol: Annotated[str, Field(min_length=1, max_length=64)]
    watermark: Watermark
    detected_at: float = Field(alias="detectedAt", gt=0)
    data: dict[str, object]


class AlertMessage(_Message):
    """An alert pop-up or alert-log entry with its message text."""

    kind: Literal["alert"]
    source: Literal["popup", "alert_log"]
    generation: _Text
    message: Annotated[str, Field(min_length=1, max_length=8192)]
    title: _Text = ""
    symbol: _Text = ""
    name: _Text = ""
    time: _Text = ""
    detected_at: float = Field(alias="detectedAt", gt=0)


class Rect(_Message):
    """A region of the page in CSS pixels."""

    x: float = Field(ge=0, le=100_000)
    y: float = Field(ge=0, le=100_000)
    width: float = Field(gt=0, le=4000)
    height: float = Field(gt=0, le=4000)


class OcrRequest(_Message):
    """An alert pop-up whose text is not in the DOM: read it from a screenshot."""

    kind: Literal["ocr"]
    generation: _Text
    rect: Rect
    detected_at: float = Field(alias="detectedAt", gt=0)


PageMessage = Annotated[
    Hello | TapeMessage | AlertMessage | OcrRequest, Field(discriminator="kind")
]
PAGE_MESSAGE: TypeAdapter[PageMessage] = TypeAdapter(PageMessage)
