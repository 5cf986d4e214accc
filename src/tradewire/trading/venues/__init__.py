"""Execution venues: one package per venue, each an adapter of the execution port."""
