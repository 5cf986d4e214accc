"""The trade tape: captured Time & Sales prints, stored durably without duplicates.

:mod:`~tradewire.tape.schema` validates the seed's scraped-data message, :mod:`.clock` places
page times in UTC, :mod:`.normalise` gives each print its identity, :mod:`.service` stores and
serves them, :mod:`.candles` builds OHLCV bars and :mod:`.export` streams them out.
"""
