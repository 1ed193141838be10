"""chatport: a Rocket.Chat-compatible import server."""

__version__ = "0.1.0"
