"""Who posted a message (importers.md §2.5), including the synthetic bot users it implies.

A bot without a users.json entry becomes a user record of its own the first time it is seen;
the prepare pass and the import pass both resolve authors through :meth:`AuthorMapping.author`,
so both find the same bots.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from chatport.imports.convert.text import ROCKET_CAT, map_user_id

from .message_base import MapperState, http_url
from .records import ReaderRecord

_SLUG_OUTSIDE = re.compile(r"[^0-9A-Za-z_.-]+")


def slug(text: str) -> str:
    """ASCII, case kept, runs outside ``[0-9A-Za-z_.-]`` -> ``-``, ends trimmed (§1.8)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_OUTSIDE.sub("-", folded).strip("-")


class Author:
    """Who :meth:`AuthorMapping.author` found; slotted, as one is made per message. Never
    changed once made: the one of a ``user`` is shared by all that user's messages."""

    __slots__ = ("user_id", "is_bot", "username", "warning")

    def __init__(
        self, user_id: str, is_bot: bool, username: str | None, warning: bool = False
    ) -> None:
        self.user_id = user_id
        self.is_bot = is_bot
        self.username = username
        self.warning = warning


class AuthorMapping(MapperState):
    """Resolves the author of a message; remembers the synthetic bots it had to invent."""

    def _user_author(self, user: str) -> Author:
        """The author of a message whose ``user`` is ``user`` (a non-empty string)."""
        user_id = map_user_id(user)
        if user_id == ROCKET_CAT:
            return Author(ROCKET_CAT, True, ROCKET_CAT)
        if user_id in self.users.bots:
            return Author(user_id, True, self.users.usernames.get(user_id))
        return Author(user_id, False, None)

    def author(self, m: dict[str, Any], member: str, index: int) -> Author:
        """§2.5: the user, else the users.json bot, else a synthetic bot, else rocket.cat."""
        user = m.get("user")
        if isinstance(user, str) and user:
            # Nearly every message names its user; what that gives depends only on the
            # export's users, fixed once the mapper exists, so it is worked out once a user.
            known_author = self._user_authors.get(user)
            if known_author is None:
                known_author = self._user_author(user)
                self._user_authors[user] = known_author
            return known_author
        bot_id = m.get("bot_id")
        bot_id = bot_id if isinstance(bot_id, str) and bot_id else None
        if bot_id is not None:
            known = self.users.bot_users.get(bot_id)
            if known is not None:
                return Author(known, True, self.users.usernames.get(known))
        profile = m.get("bot_profile")
        profile = profile if isinstance(profile, dict) else {}
        username = m.get("username")
        username = username if isinstance(username, str) and username.strip() else None
        profile_name = profile.get("name")
        profile_name = profile_name if isinstance(profile_name, str) and profile_name else None
        if bot_id is not None:
            import_id = bot_id
        elif username is not None and slug(username):
            import_id = "bot-" + slug(username)
        else:
            return Author(ROCKET_CAT, True, ROCKET_CAT, warning=True)
        # A synthetic bot's username is "<slug>.bot", which a posted ``username`` never is, so
        # its messages carry ``alias`` whenever they name themselves (username None below).
        if import_id in self.synthetic_bots:
            return Author(import_id, True, None)
        source_name = profile_name or username or bot_id or import_id
        base = slug(source_name) or slug(import_id) or "bot"
        data: dict[str, Any] = {
            "importIds": [import_id],
            "type": "bot",
            "roles": ["bot"],
            "emails": [],
            "username": base + ".bot",
            "name": source_name,
        }
        icons = profile.get("icons")
        avatar = http_url(icons.get("image_72")) if isinstance(icons, dict) else None
        if avatar is None:
            icons = m.get("icons")
            avatar = http_url(icons.get("image_72")) if isinstance(icons, dict) else None
        if avatar is not None:
            data["avatarUrl"] = avatar
        self.synthetic_bots[import_id] = ReaderRecord(
            "user", data, {"entry": member, "index": index}
        )
        return Author(import_id, True, None)
