"""Failures an adapter reports to the composition root."""


class PlatformUnavailable(RuntimeError):
    """A configured platform cannot start (bad token, unreachable API); the message says which."""
