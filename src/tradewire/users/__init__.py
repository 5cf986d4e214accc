"""Users: who may sign in, with which role, and each user's own trading settings.

The user store is a port (:mod:`tradewire.users.ports`); the service keeps the names of disabled
users in memory so that every token check can ask about them without touching the store.
"""
