"""Domain errors that the HTTP edge renders as Rocket.Chat's envelopes.

Services raise these; they never build HTTP responses themselves.
"""

from __future__ import annotations


class ChatportError(Exception):
    """Base of every expected failure."""


class CodedError(ChatportError):
    """Meteor.Error(error, reason, details): 400 with ``errorType``."""

    def __init__(self, error: str, reason: str | None = None, details: str | None = None):
        super().__init__(error)
        self.error = error
        self.reason = reason
        self.details = details


class PlainError(ChatportError):
    """Error(message): 400 ``{"success":false,"error":message}``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class LoginFailed(ChatportError):
    """One answer for unknown user, wrong password, inactive user and a blocked login."""


class SettingError(ChatportError):
    """Unknown setting id or missing value: 400 ``{"success":false}``."""


class SettingTypeError(ChatportError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
