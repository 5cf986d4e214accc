"""Signals: duplicate suppression, the alert → signal pipeline, the WebSocket hub, latency."""
