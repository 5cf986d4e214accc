"""Market data adapters: one module per provider, each with the same shape (``quote`` and
``candles``), plus the Redis cache backend. The only place httpx and redis are imported."""
