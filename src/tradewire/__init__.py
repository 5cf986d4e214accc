"""tradewire: a signal desk for traders."""

__version__ = "0.1.0"
