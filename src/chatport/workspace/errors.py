"""Read failures whose Rocket.Chat answer differs by route.

Rocket.Chat words "you may not read this" differently per endpoint (a 403, a coded 400, a
``not-allowed`` failure...), so the service raises these and the HTTP edge picks the shape.
"""

from __future__ import annotations

from chatport.errors import ChatportError


class NotAllowed(ChatportError):
    """The caller may not read the room (Rocket.Chat's ``canAccessRoom`` said no)."""


class MessageNotFound(ChatportError):
    """No message has the requested ``_id``."""
