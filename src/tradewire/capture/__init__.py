"""Capture: where alerts come in (webhook, browser pop-ups, OCR) and how they are parsed."""
