"""Analysis of market data: indicators (TA-Lib) and support/resistance levels."""
