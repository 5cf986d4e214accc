"""Domain core: typed events, the message bus, errors, clocks and ids. No I/O libraries here."""
