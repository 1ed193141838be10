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


class LoginBlocked(LoginFailed):
    """Too many failed attempts for this account (``scope`` ``user``) or this client
    (``ip``): Rocket.Chat's ``error-login-blocked-for-*``, with when it ends. Unknown names
    are throttled exactly like accounts, so the answer tells no one whether an account
    exists; it comes before any password check, so it says nothing of the password."""

    def __init__(self, scope: str, until_ms: int, now_ms: int) -> None:
        super().__init__(scope)
        self.scope = scope
        self.until_ms = until_ms
        self.seconds = max(1, -(-(until_ms - now_ms) // 1000))


class SettingError(ChatportError):
    """Unknown setting id or missing value: 400 ``{"success":false}``."""


class SettingTypeError(ChatportError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
