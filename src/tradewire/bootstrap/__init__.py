"""The composition root: the one place that knows every concrete class and wires adapters to
ports from Settings. Domain packages take their settings section as a frozen value from here."""

from tradewire.bootstrap.container import Container, build, token_service, webhook_guard
from tradewire.bootstrap.tape import open_tape_store

__all__ = ["Container", "build", "open_tape_store", "token_service", "webhook_guard"]
