"""users.json (org_users.json in Grid exports) to user records (importers.md §2.3, §8)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from chatport.imports.convert.text import SLACKBOT_IDS

from . import records as codes
from .fields import Invalid, opt_bool, opt_dict, opt_str
from .records import ReaderRecord, problem

GUEST_MODES = ("guest", "user", "skip")


def _utc_offset(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    hours = value / 3600
    return int(hours) if hours == int(hours) else hours


def user_data(user: dict[str, Any], guests: str) -> tuple[dict[str, Any], str | None]:
    """The IImportUser dict for one users.json entry and a skip reason; raises Invalid."""
    user_id = opt_str(user, "id")
    if not user_id:
        raise Invalid("id")
    profile = opt_dict(user, "profile") or {}
    data: dict[str, Any] = {"importIds": [user_id]}
    username = opt_str(user, "name")
    if username:
        data["username"] = username
    name = (
        opt_str(profile, "real_name", "profile.real_name")
        or opt_str(user, "real_name")
        or opt_str(profile, "display_name", "profile.display_name")
    )
    if name:
        data["name"] = name
    email = opt_str(profile, "email", "profile.email")
    data["emails"] = [email] if email and email.strip() else []
    offset = _utc_offset(user.get("tz_offset"))
    if offset is not None:
        data["utcOffset"] = offset
    avatar = opt_str(profile, "image_original", "profile.image_original") or opt_str(
        profile, "image_512", "profile.image_512"
    )
    if avatar:
        data["avatarUrl"] = avatar
    deleted = opt_bool(user, "deleted")
    if deleted is not None:
        data["deleted"] = deleted
    status = opt_str(profile, "status_text", "profile.status_text")
    if status:
        data["statusText"] = status
    title = opt_str(profile, "title", "profile.title")
    if title:
        data["bio"] = title
    skip: str | None = None
    if opt_bool(user, "is_bot"):
        data["type"] = "bot"
        data["roles"] = ["bot"]
    else:
        data["type"] = "user"
        if opt_bool(user, "is_restricted") or opt_bool(user, "is_ultra_restricted"):
            if guests == "guest":
                data["roles"] = ["guest"]
            elif guests == "skip":
                skip = codes.GUEST_SKIPPED
    if user_id in SLACKBOT_IDS:
        skip = codes.MAPPED_TO_ROCKET_CAT
    return data, skip


def user_record(value: Any, source: dict[str, Any], guests: str) -> ReaderRecord:
    if not isinstance(value, dict):
        return ReaderRecord("user", {}, source, [problem(codes.RECORD_INVALID, field="")])
    try:
        data, skip = user_data(value, guests)
    except Invalid as exc:
        data = {}
        raw_id = value.get("id")
        if isinstance(raw_id, str) and raw_id:
            data["importIds"] = [raw_id]
        return ReaderRecord("user", data, source, [problem(codes.RECORD_INVALID, field=exc.field)])
    return ReaderRecord("user", data, source, skip_reason=skip)


class UserIndex:
    """What the message pass needs to know about users.json, in little memory."""

    def __init__(self) -> None:
        self.usernames: dict[str, str] = {}
        #: Slack ``bot_id`` -> the users.json user that is that bot (``profile.bot_id``).
        self.bot_users: dict[str, str] = {}
        #: Ids of users.json entries with ``is_bot``.
        self.bots: set[str] = set()
        self._teams: Counter[str] = Counter()
        self._enterprises: Counter[str] = Counter()

    def add(self, user: Any) -> None:
        if not isinstance(user, dict):
            return
        user_id = user.get("id")
        if not isinstance(user_id, str) or not user_id:
            return
        username = user.get("name")
        if isinstance(username, str) and username:
            self.usernames[user_id] = username
        profile = user.get("profile")
        if isinstance(profile, dict):
            bot_id = profile.get("bot_id")
            if isinstance(bot_id, str) and bot_id and bot_id not in self.bot_users:
                self.bot_users[bot_id] = user_id
        if user.get("is_bot") is True:
            self.bots.add(user_id)
        team = user.get("team_id")
        if isinstance(team, str) and team:
            self._teams[team] += 1
        enterprise = user.get("enterprise_id")
        grid = user.get("enterprise_user")
        if not isinstance(enterprise, str) and isinstance(grid, dict):
            enterprise = grid.get("enterprise_id")
        if isinstance(enterprise, str) and enterprise:
            self._enterprises[enterprise] += 1

    def namespace(self) -> str:
        """``slack:<enterprise id, else the most frequent team id, else empty>`` (§1.11).

        Ties go to the smallest id, so the namespace never depends on entry order."""
        for counter in (self._enterprises, self._teams):
            if counter:
                best = min(counter.items(), key=lambda item: (-item[1], item[0]))
                return "slack:" + best[0]
        return "slack:"
