"""Shared test helpers: ports, waiting, real service URLs, real servers."""
