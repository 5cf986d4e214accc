"""Repositories: one module per area, translating events to rows and back."""
