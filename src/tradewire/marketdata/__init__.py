"""Market data: provider adapters behind ports, failover, rate limits, cache, watchlist and the
collector service."""
