"""A deterministic, realistic Slack export zip of a given size, written streaming.

``python -m benchmarks.generate_slack --messages N --out export.zip [--seed 1] [--lean]``

The layout follows importers.md §2.1: ``users.json``, ``channels.json`` (one ``is_general``),
``groups.json``, ``mpims.json``, ``dms.json`` and one ``<folder>/<YYYY-MM-DD>.json`` array per
conversation and day. Exactly N message elements are written, spread over the conversations by
weight (the general channel is the busiest) and over days (at most :data:`MAX_PER_DAY` per day
file). They mix:

- plain text, mrkdwn (``*bold*``, ``_italic_``, ``~strike~``, code, fences, quotes), emoji
  short-codes, escaped entities, links, ``<mailto:…>``;
- ``<@U…>`` user mentions, ``<#C…|name>`` / ``<#C…>`` channel references, ``<!here>``,
  ``<!channel>``, ``<!everyone>``;
- threads: parents with ``reply_count``, ``reply_users``, ``reply_users_count``,
  ``latest_reply`` (some with legacy ``replies``), children with ``thread_ts`` and
  ``parent_user_id``, some of them ``thread_broadcast`` with ``root``;
- reactions (skin tones such as ``+1::skin-tone-2``), edits (``edited``);
- file shares (``files`` with ``url_private_download`` on a fake host, some with ``?t=xoxe-``
  tokens, external, tombstoned or hidden by limit; a few legacy ``file_share`` subtypes);
- subtypes ``channel_join``, ``channel_leave``, ``channel_topic``, ``channel_purpose``,
  ``bot_message`` (a users.json bot, an unknown ``bot_id`` and a webhook without one),
  ``me_message``, ``pinned_item``, ``thread_broadcast``, and Slackbot messages.

Users number ``N // 1000 + 20``: ``USLACKBOT``, a bot user, deleted users and guests among them.

Every run with the same arguments writes the same bytes: one seeded ``random.Random`` drives
all choices, members carry a fixed timestamp and are written in a fixed order. Memory stays
bounded whatever N is: only one day file (≤ 2,000 messages) is held at a time, and day files are
streamed into the zip with ``ZipFile.open(info, "w")``. The zip is written next to ``--out``
and renamed into place when complete, so an interrupted run leaves no partial export behind.

``--lean`` drops what real exports carry but no importer needs (``blocks``, ``user_profile``,
``client_msg_id``, team fields): smaller JSON, so parsing weighs less against the import.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

#: Bump whenever the output changes for given arguments (the runner's cache key uses it).
VERSION = 1

MAX_PER_DAY = 2000
BASE_EPOCH = 1577836800  # 2020-01-01T00:00:00Z
DAY = 86400
TEAM = "T0BENCH01"
FILE_HOST = "https://files.slack-bench.invalid"
AVATAR_HOST = "https://avatars.slack-bench.invalid"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FLUSH = 1 << 16

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    """
    ann bob cy dana eli fay gus hana ivo jin kai lena milo nora otto pia quinn rosa sam
    tara ugo vera wes xena yuri zoe
    """
)
_LAST = _words(
    """
    abbott baker chen diaz evans fischer garcia hughes ito jensen kowalski lopez moreau
    nakamura okafor petrov quiroga rossi silva tanaka ueda varga weber xu yilmaz zhang
    """
)
_TITLES = ("", "", "Engineer", "Designer", "Product manager", "Support lead", "SRE", "Analyst")
_STATUS = ("", "", "", "In a meeting", "On vacation", "Commuting", "Focus time")
_TOPICS = _words(
    """
    platform design support release infra data mobile web security growth billing search
    qa docs sales ops hiring random-ideas
    """
)
_WORDS = _words(
    """
    the a we it this that and or but so if then when deploy build release merge branch
    review ticket bug fix patch server client database query index cache latency error
    timeout meeting standup retro sprint roadmap budget customer feedback design mockup
    spec draft doc slide chart metric dashboard looks good great weird broken flaky faster
    slower ready today tomorrow yesterday later soon now again still already can could
    should would will might must need want think check ping ship test rollback restart
    upgrade migrate monitor is are was be have has do does did not no yes maybe for with
    on in at from to of about after before into team folks everyone you me them us our
    your their café naïve über façade smörgåsbord
    """
)
_EMOJI = _words(
    """
    :smile: :+1: :tada: :eyes: :rocket: :fire: :white_check_mark: :thinking_face: :pray:
    :100: :simple_smile: :memo: :heavy_exclamation_mark: :+1::skin-tone-3:
    :wave::skin-tone-5: :mostly_sunny: :facepunch: :uk:
    """
)
_REACTIONS = _words(
    """
    +1 +1::skin-tone-2 +1::skin-tone-4 heart joy eyes tada raised_hands
    raised_hands::skin-tone-6 white_check_mark pray::skin-tone-3 fire 100 thinking_face
    clap::skin-tone-2 simple_smile rocket facepunch e-mail
    """
)
_FILES = (
    ("report.pdf", "application/pdf", "pdf", "PDF"),
    ("screenshot.png", "image/png", "png", "PNG"),
    ("photo.jpg", "image/jpeg", "jpg", "JPEG"),
    ("notes.txt", "text/plain", "text", "Plain Text"),
    ("data.csv", "text/csv", "csv", "CSV"),
    ("diagram.svg", "image/svg+xml", "svg", "SVG"),
    ("slides.key", "application/octet-stream", "binary", "Binary"),
)
_LINKS = (
    "https://docs.example.com/guide/{n}",
    "https://status.example.org/incidents/{n}",
    "https://github.example.net/org/repo/pull/{n}",
    "https://wiki.example.com/page?id={n}",
)
_CODE = (
    "SELECT id, name FROM users WHERE active = 1;",
    "kubectl rollout restart deploy/api",
    'def handler(event):\n    return {"ok": True}',
    "git rebase -i HEAD~3",
    "curl -s https://api.example.com/health | jq .status",
)


def _weights(text: str) -> tuple[tuple[str, int], ...]:
    """``"kind:weight kind:weight ..."`` as pairs."""
    pairs = (item.split(":") for item in text.split())
    return tuple((kind, int(weight)) for kind, weight in pairs)


# Top-level kinds and their weights, per conversation kind.
_CHANNEL_KINDS = _weights(
    """
    plain:430 mrkdwn:90 mention:100 channel_ref:35 here:15 link:40 code:20 file:50 join:40
    leave:10 topic:5 purpose:3 bot:40 me:10 pin:5 slackbot:5
    """
)
_DM_KINDS = _weights(
    """
    plain:600 mrkdwn:100 mention:60 channel_ref:30 link:60 code:40 file:70 me:10 pin:5
    slackbot:5
    """
)
_REPLY_KINDS = _weights("plain:650 mrkdwn:120 mention:120 link:40 file:40")
_THREAD_SIZES = (1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 20)
_TEXT_KINDS = frozenset({"plain", "mrkdwn", "mention", "channel_ref", "here", "link", "code"})


def slack_id(prefix: str, n: int) -> str:
    """A unique, Slack-looking id: ``n`` scrambled bijectively into 9 base-36 characters."""
    value = (n * 2654435761 + 12345) % 36**9
    chars = []
    for _ in range(9):
        value, digit = divmod(value, 36)
        chars.append(_ALPHABET[digit])
    return prefix + "".join(reversed(chars))


def _cumulative(kinds: tuple[tuple[str, int], ...]) -> tuple[list[str], list[int]]:
    names = [name for name, _ in kinds]
    weights: list[int] = []
    total = 0
    for _, weight in kinds:
        total += weight
        weights.append(total)
    return names, weights


@dataclass
class User:
    id: str
    name: str
    real_name: str
    first: str
    deleted: bool = False
    bot_id: str | None = None
    restricted: bool = False
    ultra: bool = False
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    id: str
    kind: str  # channel, group, mpim, dm
    folder: str
    name: str
    members: list[User]
    weight: float
    created: int
    general: bool = False
    messages: int = 0
    #: Recent top-level (ts, text, user) kept for pins; bounded.
    recent: list[tuple[str, str, User]] = field(default_factory=list)


@dataclass
class Stats:
    messages: int = 0
    day_files: int = 0
    users: int = 0
    conversations: int = 0
    replies: int = 0
    files: int = 0
    bytes: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


class _Member:
    """A zip member written streaming, with writes gathered into 64 KiB chunks."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._stream: IO[bytes] = archive.open(info, "w")
        self._buffer = bytearray()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= _FLUSH:
            self._stream.write(self._buffer)
            self._buffer.clear()

    def close(self) -> None:
        if self._buffer:
            self._stream.write(self._buffer)
        self._stream.close()


class JsonArrayWriter:
    """Writes a JSON array one element at a time (one element per line)."""

    def __init__(self, member: _Member) -> None:
        self._member = member
        self.count = 0
        member.write(b"[\n")

    def add(self, value: Any) -> None:
        data = json.dumps(value).encode("ascii")
        self._member.write(b",\n" + data if self.count else data)
        self.count += 1

    def close(self) -> None:
        self._member.write(b"\n]\n")
        self._member.close()


def _write_array(archive: zipfile.ZipFile, name: str, values: Iterable[Any]) -> int:
    member = _Member(archive, name)
    writer = JsonArrayWriter(member)
    for value in values:
        writer.add(value)
    writer.close()
    return member.size


class SlackExportGenerator:
    """Plans users and conversations from the seed, then writes the export."""

    def __init__(self, messages: int, seed: int = 1, *, lean: bool = False) -> None:
        if messages < 0:
            raise ValueError("messages must be >= 0")
        self.total = messages
        self.seed = seed
        self.lean = lean
        self.rng = random.Random(seed)
        self.stats = Stats()
        self._files = 0
        self._kinds: dict[str, tuple[list[str], list[int]]] = {
            "channel": _cumulative(_CHANNEL_KINDS),
            "dm": _cumulative(_DM_KINDS),
            "reply": _cumulative(_REPLY_KINDS),
        }
        self.users = self._plan_users(messages // 1000 + 20)
        self._by_id = {u.id: u for u in self.users}
        self.conversations = self._plan_conversations(messages)
        self._allocate(messages)
        self._public = [c for c in self.conversations if c.kind == "channel"]

    # -- planning --------------------------------------------------------------------------

    def _plan_users(self, count: int) -> list[User]:
        rng = self.rng
        users: list[User] = [
            User("USLACKBOT", "slackbot", "Slackbot", "slackbot"),
            User(slack_id("U", 1), "deploybot", "Deploy Bot", "deploy", bot_id=slack_id("B", 1)),
        ]
        for i in range(2, count):
            first = _FIRST[i % len(_FIRST)]
            last = _LAST[(i // len(_FIRST)) % len(_LAST)]
            user = User(slack_id("U", i), f"{first}.{last}{i}", f"{first} {last}".title(), first)
            user.deleted = i % 25 == 7
            user.restricted = i % 40 == 11
            user.ultra = i % 80 == 51
            users.append(user)
        for user in users:
            user.profile = self._small_profile(user, rng)
        return users

    def _small_profile(self, user: User, rng: random.Random) -> dict[str, Any]:
        avatar = f"{rng.getrandbits(48):012x}"
        return {
            "avatar_hash": avatar,
            "image_72": f"{AVATAR_HOST}/{TEAM}-{user.id}-{avatar}-72",
            "first_name": user.first.title(),
            "real_name": user.real_name,
            "display_name": user.name,
            "team": TEAM,
            "name": user.name,
            "is_restricted": user.restricted,
            "is_ultra_restricted": user.ultra,
        }

    def _plan_conversations(self, messages: int) -> list[Conversation]:
        rng = self.rng
        humans = list(self.users[2:])
        live = [u for u in humans if not u.deleted]
        bot = self.users[1]
        out: list[Conversation] = []
        n = 0

        def created() -> int:
            return BASE_EPOCH - rng.randrange(30, 700) * DAY + rng.randrange(DAY)

        def sample(pool: list[User], low: int, high: int) -> list[User]:
            size = min(len(pool), rng.randint(low, max(low, high)))
            return sorted(rng.sample(pool, size), key=lambda u: u.id)

        publics = 6 + messages // 25000
        for i in range(publics):
            n += 1
            if i == 0:
                name, members, weight = "general", humans + [bot], 10.0
            else:
                base = _TOPICS[(i - 1) % len(_TOPICS)]
                name = base if i <= len(_TOPICS) else f"{base}-{i // len(_TOPICS) + 1}"
                members = sample(humans, 4, max(8, len(humans) // 3))
                if i % 3 == 1:
                    members.append(bot)
                weight = 1.0 + rng.random() * 5
            out.append(
                Conversation(
                    slack_id("C", n),
                    "channel",
                    name,
                    name,
                    members,
                    weight,
                    created(),
                    general=i == 0,
                )
            )
        for i in range(2 + messages // 100000):
            n += 1
            name = f"priv-{_TOPICS[(i + 5) % len(_TOPICS)]}-{i + 1}"
            members = sample(live, 3, 25)
            out.append(
                Conversation(
                    slack_id("G", n),
                    "group",
                    name,
                    name,
                    members,
                    0.5 + rng.random() * 2.5,
                    created(),
                )
            )
        for i in range(2 + messages // 250000):
            n += 1
            members = sample(live, 3, 5)
            name = "mpdm-" + "--".join(u.name for u in members) + f"-{i + 1}"
            out.append(
                Conversation(
                    slack_id("G", n),
                    "mpim",
                    name,
                    name,
                    members,
                    0.3 + rng.random() * 0.7,
                    created(),
                )
            )
        for i in range(4 + messages // 50000):
            n += 1
            # The first DM is a self-DM: Slack lists its one user twice.
            pair = [live[0], live[0]] if i == 0 else sample(live, 2, 2)
            did = slack_id("D", n)
            out.append(Conversation(did, "dm", did, did, pair, 0.2 + rng.random() * 0.8, created()))
        return out

    def _allocate(self, messages: int) -> None:
        """Exactly ``messages`` over the conversations, by weight (largest remainder)."""
        weights = [c.weight for c in self.conversations]
        total = sum(weights)
        shares = [messages * w / total for w in weights]
        counts = [int(s) for s in shares]
        left = messages - sum(counts)
        order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
        for i in order[:left]:
            counts[i] += 1
        for conversation, count in zip(self.conversations, counts, strict=True):
            conversation.messages = count

    # -- top-level files -------------------------------------------------------------------

    def _user_json(self, user: User) -> dict[str, Any]:
        rng = self.rng
        small = user.profile
        profile: dict[str, Any] = {
            "title": rng.choice(_TITLES),
            "phone": "",
            "skype": "",
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "fields": None,
            "status_text": rng.choice(_STATUS),
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": small["avatar_hash"],
        }
        if user.id != "USLACKBOT" and user.bot_id is None and not user.deleted:
            profile["email"] = f"{user.name}@bench.example.com"
        base = f"{AVATAR_HOST}/{TEAM}-{user.id}-{small['avatar_hash']}"
        if rng.random() < 0.7:
            profile["image_original"] = f"{base}-original.png"
        for size in (24, 32, 48, 72, 192, 512):
            profile[f"image_{size}"] = f"{base}-{size}"
        profile["first_name"] = user.first.title()
        profile["last_name"] = user.real_name.split(" ")[-1]
        profile["team"] = TEAM
        if user.bot_id is not None:
            profile["bot_id"] = user.bot_id
            profile["api_app_id"] = "A0BENCH01"
            profile["always_active"] = True
        tz = rng.choice(
            (
                ("Europe/Berlin", 3600),
                ("America/New_York", -18000),
                ("Asia/Tokyo", 32400),
                ("UTC", 0),
            )
        )
        data: dict[str, Any] = {
            "id": user.id,
            "team_id": TEAM,
            "name": user.name,
            "deleted": user.deleted,
            "color": f"{rng.getrandbits(24):06x}",
            "real_name": user.real_name,
        }
        if user.id != "USLACKBOT" and not user.deleted:
            data["tz"] = tz[0]
            data["tz_label"] = tz[0]
            data["tz_offset"] = tz[1]
        data["profile"] = profile
        data["is_admin"] = user is self.users[2]
        data["is_owner"] = user is self.users[2]
        data["is_primary_owner"] = user is self.users[2]
        data["is_restricted"] = user.restricted
        data["is_ultra_restricted"] = user.ultra
        data["is_bot"] = user.bot_id is not None
        data["is_app_user"] = False
        data["updated"] = BASE_EPOCH - rng.randrange(DAY * 30)
        return data

    def _conversation_json(self, c: Conversation) -> dict[str, Any]:
        rng = self.rng
        ids = list(dict.fromkeys(u.id for u in c.members))
        if c.kind == "dm":
            return {"id": c.id, "created": c.created, "members": [m.id for m in c.members]}
        creator = c.members[0].id if c.members else self.users[2].id
        data: dict[str, Any] = {"id": c.id, "name": c.name, "created": c.created}
        if c.kind == "mpim":
            data["is_mpim"] = True
        data["creator"] = creator
        data["is_archived"] = c.kind == "channel" and c.name.startswith("hiring")
        if c.kind == "channel":
            data["is_general"] = c.general
        data["members"] = ids
        data["pins"] = []
        topic = "" if rng.random() < 0.3 else self._sentence(3, 8)
        data["topic"] = {"value": topic, "creator": creator if topic else "", "last_set": 0}
        purpose = self._sentence(4, 12) if rng.random() < 0.8 else ""
        data["purpose"] = {
            "value": purpose,
            "creator": creator if purpose else "",
            "last_set": c.created if purpose else 0,
        }
        return data

    # -- text ------------------------------------------------------------------------------

    def _sentence(self, low: int = 3, high: int = 20) -> str:
        rng = self.rng
        words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
        roll = rng.random()
        if roll < 0.10:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_EMOJI))
        elif roll < 0.13:
            words.insert(rng.randrange(len(words) + 1), rng.choice(("&amp;", "&lt;3", "-&gt;")))
        text = " ".join(words)
        return text[:1].upper() + text[1:] + rng.choice((".", ".", "!", "?", "", "..."))

    def _mrkdwn(self) -> str:
        rng = self.rng
        shape = rng.randrange(6)
        if shape == 0:
            return f"*{self._sentence(1, 4)}* {self._sentence()}"
        if shape == 1:
            return f"{self._sentence(2, 6)} _{self._sentence(1, 4)}_ ~{self._sentence(1, 3)}~"
        if shape == 2:
            return f"&gt; {self._sentence()}\n{self._sentence(2, 8)}"
        if shape == 3:
            items = "\n".join(f"• {self._sentence(2, 6)}" for _ in range(rng.randint(2, 4)))
            return f"{self._sentence(2, 5)}\n{items}"
        if shape == 4:
            return f"{self._sentence(2, 8)} `{rng.choice(_CODE).splitlines()[0]}`"
        return f"*{self._sentence(1, 3)}*\n1. {self._sentence(2, 6)}\n2. {self._sentence(2, 6)}"

    def _text(self, kind: str, c: Conversation, author: User) -> str:
        rng = self.rng
        if kind == "plain":
            return self._sentence()
        if kind == "mrkdwn":
            return self._mrkdwn()
        if kind == "mention":
            who = [rng.choice(c.members) for _ in range(rng.choice((1, 1, 1, 2)))]
            parts = [f"<@{u.id}>" for u in who]
            if rng.random() < 0.5:
                return " ".join(parts) + " " + self._sentence()
            return f"{self._sentence(2, 8)} {' '.join(parts)} {self._sentence(1, 6)}"
        if kind == "channel_ref":
            target = rng.choice(self._public)
            ref = f"<#{target.id}>" if rng.random() < 0.2 else f"<#{target.id}|{target.name}>"
            return f"{self._sentence(2, 8)} {ref} {self._sentence(1, 5)}"
        if kind == "here":
            special = "<!here>"
            if c.general:
                special = rng.choice(("<!here>", "<!channel>", "<!everyone>"))
            elif rng.random() < 0.3:
                special = "<!channel>"
            return f"{special} {self._sentence()}"
        if kind == "link":
            url = rng.choice(_LINKS).format(n=rng.randrange(1, 5000))
            roll = rng.random()
            if roll < 0.5:
                return f"{self._sentence(2, 8)} <{url}|{self._sentence(1, 3).rstrip('.!?')}>"
            if roll < 0.9:
                return f"see <{url}>"
            return f"mail <mailto:{author.name}@bench.example.com|{author.name}@bench.example.com>"
        if kind == "code":
            return f"{self._sentence(2, 6)}\n```{rng.choice(_CODE)}```"
        raise AssertionError(kind)

    # -- messages --------------------------------------------------------------------------

    def _author(self, c: Conversation) -> User:
        return self.rng.choice(c.members)

    def _user_message(
        self, ts: str, author: User, text: str, subtype: str | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        m: dict[str, Any] = {}
        if not self.lean and subtype is None:
            m["client_msg_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        m["type"] = "message"
        if subtype is not None:
            m["subtype"] = subtype
        m["text"] = text
        m["user"] = author.id
        m["ts"] = ts
        if not self.lean:
            m["team"] = TEAM
            if subtype is None:
                m["user_team"] = TEAM
                m["source_team"] = TEAM
                m["user_profile"] = author.profile
                m["blocks"] = [
                    {
                        "type": "rich_text",
                        "block_id": "".join(rng.choices(_ALPHABET, k=5)),
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "text", "text": text}],
                            }
                        ],
                    }
                ]
        return m

    def _file(self, author: User, ts_seconds: int) -> dict[str, Any]:
        rng = self.rng
        self._files += 1
        fid = slack_id("F", self._files)
        name, mimetype, filetype, pretty = rng.choice(_FILES)
        base = f"{FILE_HOST}/files-pri/{TEAM}-{fid}"
        token = f"?t=xoxe-{rng.getrandbits(64):016x}" if rng.random() < 0.2 else ""
        data: dict[str, Any] = {
            "id": fid,
            "created": ts_seconds,
            "timestamp": ts_seconds,
            "name": name,
            "title": name.rsplit(".", 1)[0].replace("-", " ").title(),
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": pretty,
            "user": author.id,
            "user_team": TEAM,
            "editable": filetype == "text",
            "size": rng.randrange(200, 5_000_000),
        }
        roll = rng.random()
        if roll < 0.02:
            return {"id": fid, "mode": "tombstone"}
        if roll < 0.03:
            return {"id": fid, "mode": "hidden_by_limit"}
        if roll < 0.06:
            data["mode"] = "external"
            data["is_external"] = True
            data["external_type"] = "gdrive"
            data["url_private"] = f"https://drive.example.com/file/d/{fid}/view"
            return data
        data["mode"] = "hosted"
        data["is_external"] = False
        data["external_type"] = ""
        data["is_public"] = True
        data["public_url_shared"] = False
        data["url_private"] = f"{base}/{name}{token}"
        data["url_private_download"] = f"{base}/download/{name}{token}"
        if mimetype.startswith("image/"):
            data["thumb_64"] = f"{base}/{name.rsplit('.', 1)[0]}_64.png{token}"
            data["thumb_360"] = f"{base}/{name.rsplit('.', 1)[0]}_360.png{token}"
            data["original_w"] = rng.choice((640, 1280, 1920))
            data["original_h"] = rng.choice((480, 720, 1080))
        data["permalink"] = f"https://bench.slack.invalid/files/{author.id}/{fid}/{name}"
        return data

    def _top_level(
        self, kind: str, c: Conversation, ts: str, seconds: int
    ) -> tuple[dict[str, Any], str]:
        """A top-level message of ``kind``; returns it and the kind actually produced."""
        rng = self.rng
        author = self._author(c)
        if kind == "pin":
            if c.recent:
                target_ts, target_text, target_user = rng.choice(c.recent)
                m = self._user_message(
                    ts,
                    author,
                    f"<@{author.id}> pinned a message to this channel.",
                    "pinned_item",
                )
                m["item_type"] = "C"
                m["attachments"] = [
                    {
                        "fallback": target_text[:80],
                        "ts": target_ts,
                        "author_subname": target_user.name,
                        "channel_id": c.id,
                        "channel_name": c.name,
                        "is_msg_unfurl": True,
                        "text": target_text,
                        "author_name": target_user.real_name,
                        "mrkdwn_in": ["text"],
                        "footer": f"Posted in #{c.name}",
                    }
                ]
                return m, kind
            kind = "plain"
        if kind in _TEXT_KINDS:
            return self._user_message(ts, author, self._text(kind, c, author)), kind
        if kind == "file":
            files = [self._file(author, seconds) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            self.stats.files += len(files)
            text = self._sentence(2, 10) if rng.random() < 0.6 else ""
            roll = rng.random()
            if roll < 0.1:
                m = self._user_message(ts, author, text, "file_share")
                m["file"] = files[0]
                m["files"] = files
            elif roll < 0.15:
                m = self._user_message(ts, author, text, "file_share")
                m["file"] = files[0]  # legacy: the file only
            else:
                m = self._user_message(ts, author, text)
                m["files"] = files
            m["upload"] = True
            m["display_as_bot"] = False
            return m, kind
        if kind == "join":
            who = self._author(c)
            m = self._user_message(ts, who, f"<@{who.id}> has joined the channel", "channel_join")
            if rng.random() < 0.4:
                m["inviter"] = author.id
            return m, kind
        if kind == "leave":
            return (
                self._user_message(
                    ts, author, f"<@{author.id}> has left the channel", "channel_leave"
                ),
                kind,
            )
        if kind == "topic":
            topic = self._sentence(3, 8)
            m = self._user_message(
                ts, author, f"<@{author.id}> set the channel topic: {topic}", "channel_topic"
            )
            m["topic"] = topic
            return m, kind
        if kind == "purpose":
            purpose = self._sentence(4, 10)
            m = self._user_message(
                ts,
                author,
                f"<@{author.id}> set the channel purpose: {purpose}",
                "channel_purpose",
            )
            m["purpose"] = purpose
            return m, kind
        if kind == "me":
            return self._user_message(ts, author, self._sentence(1, 5), "me_message"), kind
        if kind == "slackbot":
            return (
                self._user_message(ts, self.users[0], f"Reminder: {self._sentence(3, 10)}"),
                kind,
            )
        if kind == "bot":
            return self._bot_message(ts), kind
        raise AssertionError(kind)

    def _bot_message(self, ts: str) -> dict[str, Any]:
        rng = self.rng
        bot = self.users[1]
        roll = rng.random()
        m: dict[str, Any] = {"type": "message", "subtype": "bot_message"}
        if roll < 0.5:
            m["text"] = f"Deployed `{rng.choice(_TOPICS)}` build {rng.randrange(1, 9999)} :rocket:"
            m["ts"] = ts
            m["bot_id"] = bot.bot_id
            m["username"] = "deploybot"
        elif roll < 0.8:
            m["text"] = ""
            m["ts"] = ts
            m["bot_id"] = "B0CINOTIFY"
            m["username"] = "ci-notifier"
            m["bot_profile"] = {
                "id": "B0CINOTIFY",
                "app_id": "A0CINOTIFY",
                "name": "ci-notifier",
                "icons": {"image_72": f"{AVATAR_HOST}/ci-notifier-72.png"},
                "deleted": False,
                "team_id": TEAM,
            }
            m["attachments"] = [
                {
                    "fallback": "Build passed",
                    "color": rng.choice(("36a64f", "#d00000", "daa038")),
                    "pretext": f"Pipeline #{rng.randrange(1, 99999)}",
                    "title": f"{rng.choice(_TOPICS)} / main",
                    "title_link": rng.choice(_LINKS).format(n=rng.randrange(1, 5000)),
                    "text": self._sentence(3, 10),
                    "fields": [
                        {
                            "title": "Status",
                            "value": rng.choice(("passed", "failed")),
                            "short": True,
                        },
                        {"title": "Duration", "value": f"{rng.randrange(1, 60)}m", "short": True},
                    ],
                    "ts": rng.choice((str(BASE_EPOCH), BASE_EPOCH)),
                }
            ]
        else:
            m["text"] = f"New alert: {self._sentence(3, 10)}"
            m["ts"] = ts
            m["username"] = "legacy webhook"
            m["icons"] = {"emoji": ":bell:"}
        return m

    def _reply(
        self, kind: str, c: Conversation, ts: str, seconds: int, thread_ts: str, parent: User
    ) -> dict[str, Any]:
        rng = self.rng
        author = self._author(c)
        broadcast = rng.random() < 0.05
        if kind == "file" and not broadcast:
            files = [self._file(author, seconds)]
            self.stats.files += 1
            m = self._user_message(ts, author, self._sentence(1, 8) if rng.random() < 0.5 else "")
            m["files"] = files
            m["upload"] = True
        else:
            text = self._text("plain" if kind == "file" else kind, c, author)
            m = self._user_message(ts, author, text, "thread_broadcast" if broadcast else None)
        m["thread_ts"] = thread_ts
        m["parent_user_id"] = parent.id
        return m

    def _day(self, c: Conversation, day_epoch: int, count: int) -> list[dict[str, Any]]:
        rng = self.rng
        seconds = sorted(rng.sample(range(DAY), count))
        stamps = [f"{day_epoch + s}.{rng.randrange(1_000_000):06d}" for s in seconds]
        table = self._kinds["dm" if c.kind in ("dm", "mpim") else "channel"]
        reply_table = self._kinds["reply"]
        parent_of: list[int | None] = [None] * count
        out: list[dict[str, Any]] = []
        threads: dict[int, list[dict[str, Any]]] = {}
        position: dict[int, int] = {}
        broadcasts: list[tuple[dict[str, Any], int]] = []
        kinds = self.stats.kinds
        for i in range(count):
            ts = stamps[i]
            sec = day_epoch + seconds[i]
            parent = parent_of[i]
            if parent is not None:
                kind = rng.choices(reply_table[0], cum_weights=reply_table[1])[0]
                parent_msg = out[position[parent]]
                user = parent_msg["user"]
                m = self._reply(kind, c, ts, sec, stamps[parent], self._by_id[user])
                threads[parent].append(m)
                if m.get("subtype") == "thread_broadcast":
                    broadcasts.append((m, parent))
                    kinds["thread_broadcast"] = kinds.get("thread_broadcast", 0) + 1
                else:
                    kinds["reply"] = kinds.get("reply", 0) + 1
                self.stats.replies += 1
            else:
                kind = rng.choices(table[0], cum_weights=table[1])[0]
                m, kind = self._top_level(kind, c, ts, sec)
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind in _TEXT_KINDS:
                    c.recent.append((ts, m["text"], self._by_id[m["user"]]))
                    if len(c.recent) > 20:
                        del c.recent[0]
                    if i < count - 1 and rng.random() < 0.08:
                        self._open_thread(i, parent_of, m, ts)
                        if "thread_ts" in m:
                            threads[i] = []
            self._decorate(m, c, sec)
            position[i] = len(out)
            out.append(m)
        for index, replies in threads.items():
            self._close_thread(out[position[index]], replies)
        for m, parent in broadcasts:
            p = out[position[parent]]
            m["root"] = {
                "text": p["text"],
                "user": p["user"],
                "thread_ts": p["ts"],
                "reply_count": p["reply_count"],
                "reply_users": p["reply_users"],
                "reply_users_count": p["reply_users_count"],
                "latest_reply": p["latest_reply"],
                "type": "message",
                "ts": p["ts"],
            }
        return out

    def _open_thread(
        self, index: int, parent_of: list[int | None], m: dict[str, Any], ts: str
    ) -> None:
        rng = self.rng
        size = rng.choice(_THREAD_SIZES)
        window = range(index + 1, min(len(parent_of), index + 1 + 4 * size + 10))
        free = [j for j in window if parent_of[j] is None]
        if not free:
            return
        for j in rng.sample(free, min(size, len(free))):
            parent_of[j] = index
        m["thread_ts"] = ts
        m["reply_count"] = 0
        m["reply_users_count"] = 0
        m["latest_reply"] = ts
        m["reply_users"] = []
        m["is_locked"] = False
        m["subscribed"] = False

    def _close_thread(self, parent: dict[str, Any], replies: list[dict[str, Any]]) -> None:
        users = list(dict.fromkeys(r["user"] for r in replies))
        parent["reply_count"] = len(replies)
        parent["reply_users_count"] = len(users)
        parent["latest_reply"] = replies[-1]["ts"]
        parent["reply_users"] = users
        if self.rng.random() < 0.2:  # legacy exports also list the replies
            parent["replies"] = [{"user": r["user"], "ts": r["ts"]} for r in replies]

    def _decorate(self, m: dict[str, Any], c: Conversation, seconds: int) -> None:
        rng = self.rng
        if "user" not in m or m.get("subtype") in ("channel_join", "channel_leave"):
            return
        roll = rng.random()
        if roll < 0.06 and m["text"]:
            m["edited"] = {"user": m["user"], "ts": f"{seconds + rng.randrange(5, 7200)}.000000"}
        if rng.random() < 0.18:
            names = rng.sample(_REACTIONS, rng.choice((1, 1, 1, 2, 2, 3)))
            reactions = []
            for name in names:
                who = sorted(
                    {u.id for u in rng.sample(c.members, min(len(c.members), rng.randint(1, 6)))}
                )
                reactions.append({"name": name, "users": who, "count": len(who)})
            m["reactions"] = reactions

    def _day_plan(self, c: Conversation) -> Iterator[tuple[int, int]]:
        """(day epoch, message count) of the conversation's day files, oldest first."""
        rng = self.rng
        high = max(1, min(MAX_PER_DAY, c.messages // 4 + 1))
        low = max(1, high // 10)
        day = BASE_EPOCH + rng.randrange(30) * DAY
        left = c.messages
        while left > 0:
            count = min(left, rng.randint(low, high))
            yield day, count
            left -= count
            day += (1 + (rng.randrange(4) == 0) * rng.randint(1, 3)) * DAY

    # -- writing ---------------------------------------------------------------------------

    def write(self, out: str | os.PathLike[str]) -> Stats:
        """Write the export to ``out`` (via a ``.part`` file renamed into place)."""
        target = Path(out)
        part = target.with_name(target.name + ".part")
        stats = self.stats
        stats.users = len(self.users)
        stats.conversations = len(self.conversations)
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            _write_array(archive, "users.json", (self._user_json(u) for u in self.users))
            for filename, kind in (
                ("channels.json", "channel"),
                ("groups.json", "group"),
                ("mpims.json", "mpim"),
                ("dms.json", "dm"),
            ):
                _write_array(
                    archive,
                    filename,
                    (self._conversation_json(c) for c in self.conversations if c.kind == kind),
                )
            for c in self.conversations:
                for day_epoch, count in self._day_plan(c):
                    date = datetime.fromtimestamp(day_epoch, tz=UTC).strftime("%Y-%m-%d")
                    size = _write_array(
                        archive, f"{c.folder}/{date}.json", self._day(c, day_epoch, count)
                    )
                    stats.day_files += 1
                    stats.messages += count
                    stats.bytes += size
                c.recent.clear()
        os.replace(part, target)
        return stats


def generate(
    messages: int, out: str | os.PathLike[str], seed: int = 1, *, lean: bool = False
) -> Stats:
    """Write a Slack export of exactly ``messages`` message elements to ``out``."""
    return SlackExportGenerator(messages, seed, lean=lean).write(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate_slack", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--messages", type=int, required=True, help="message elements to write")
    parser.add_argument("--out", required=True, help="the zip to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--lean", action="store_true", help="omit blocks, user_profile etc.")
    parser.add_argument("--json", action="store_true", help="print the statistics as JSON")
    args = parser.parse_args(argv)
    if args.messages < 0:
        parser.error("--messages must be >= 0")
    started = time.perf_counter()
    stats = generate(args.messages, args.out, args.seed, lean=args.lean)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"seconds": seconds, **stats.__dict__}))
    else:
        print(
            f"{args.out}: {stats.messages} messages in {stats.day_files} day files, "
            f"{stats.users} users, {stats.conversations} conversations, {stats.replies} replies, "
            f"{stats.files} files, {stats.bytes / 1e6:.1f} MB of day-file JSON, "
            f"{os.path.getsize(args.out) / 1e6:.1f} MB zipped, {seconds:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
