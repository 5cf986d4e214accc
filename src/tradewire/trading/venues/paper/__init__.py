"""The paper venue: simulated execution, event-sourced (its state is its journal replayed)."""

from tradewire.trading.venues.paper.venue import PaperVenue

__all__ = ["PaperVenue"]
