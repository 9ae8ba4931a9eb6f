"""Failures an adapter reports to the composition root."""


class PlatformUnavailable(RuntimeError):
    """A configured platform cannot start (bad token, unreachable API); the message says which."""


class PlatformUnreachable(PlatformUnavailable):
    """The platform's API cannot be reached (network, DNS, timeout): worth retrying, unlike a refused
    token. The message names the host, never a token."""
