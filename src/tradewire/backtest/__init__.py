"""Backtests: replay bars through a simulated clock and trade a strategy's signals on the paper
venue, through the same execution port as live paper trading."""
