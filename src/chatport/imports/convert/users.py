"""User records to accounts (importers §1.7), never taking over an existing account.

A matched user keeps its roles, password, services, emails and active flag: only the import
ids are bound. New users get Rocket.Chat's user document and no password (with "change
required") unless the record carries one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from chatport import ids
from chatport.accounts import repository as accounts_repo
from chatport.accounts.passwords import hash_password
from chatport.imports.convert.caps import FieldCaps

# Applies an avatar URL to a user just written, in the caller's transaction (or leaves it
# pending): ``(conn, user id, URL, now)``.
ApplyAvatar = Callable[[Connection, str, str, int], None]

RESERVED = frozenset({"all", "here", "rocket.cat"})
USERNAME_OK = re.compile(r"^[0-9a-zA-Z._-]+$")
ARCHIVE_ROLES = frozenset({"user", "bot", "guest"})


@dataclass
class UserOptions:
    namespace: str
    skip_existing: bool = False
    bind_skipped: bool = False
    flag_emails_verified: bool = False
    default_roles: Sequence[str] = ("user",)
    grant_archive_roles: bool = False
    bcrypt_rounds: int = 10
    # Set where avatars are applied at conversion (HipChat's data URIs, importers §5.2);
    # otherwise ``_pendingAvatarUrl`` waits for pending-avatars.
    apply_avatar: ApplyAvatar | None = None
    caps: FieldCaps = field(default_factory=FieldCaps)


@dataclass
class Outcome:
    state: str  # "done" | "skipped" | "error"
    user_id: str | None = None
    skip_reason: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def normalise_username(raw: str) -> str:
    if USERNAME_OK.match(raw):
        return raw
    cleaned = re.sub(r"[^0-9a-zA-Z._-]+", ".", raw)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip(".")
    return cleaned


def _name_from_username(username: str) -> str:
    spaced = re.sub(r"[^A-Za-z0-9_]", " ", username)
    return re.sub(r"(^|\s)([a-z])", lambda m: m.group(1) + m.group(2).upper(), spaced).strip()


def _free_username(lookups: Lookups, base: str, numbered_from: int = 1) -> str:
    candidate = base
    n = numbered_from
    while lookups.by_username(candidate) is not None:
        candidate = f"{base}{n}"
        n += 1
    return candidate


#: ``customFields`` nested deeper than this fail the record (importers §1.7).
MAX_CUSTOM_FIELDS_DEPTH = 4


def custom_fields_problem(value: Any) -> str | None:
    """The path of the first ``customFields`` key with a ``.``, a leading ``$`` or too deep
    (security A-8 row 8.4: Rocket.Chat builds Mongo ``$set`` paths from them), or of a value
    that is not an object; None when they are fine or absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return "customFields"
    stack: list[tuple[dict[str, Any], str, int]] = [(value, "customFields", 1)]
    while stack:
        node, path, depth = stack.pop()
        for key, child in node.items():
            where = f"{path}.{key}"
            if "." in key or key.startswith("$") or not key:
                return where
            if isinstance(child, dict):
                if depth >= MAX_CUSTOM_FIELDS_DEPTH:
                    return where
                stack.append((child, where, depth + 1))
    return None


def convert_user(
    conn: Connection,
    data: dict[str, Any],
    options: UserOptions,
    now: int,
    lookups: Lookups | None = None,
) -> Outcome:
    """One user record; ``lookups`` answers its queries from a batch's preload (the same
    answers as the database: see :class:`Lookups`)."""
    found = lookups if lookups is not None else Lookups(conn, options.namespace)
    import_ids = [str(i) for i in data.get("importIds") or [] if i]
    emails = [
        e.strip().lower() for e in data.get("emails") or [] if isinstance(e, str) and e.strip()
    ]
    username = data.get("username") if isinstance(data.get("username"), str) else None
    if not import_ids:
        return Outcome(
            "error",
            errors=[{"message": "importer-record-invalid", "details": {"field": "importIds"}}],
        )
    if not emails and not username:
        return Outcome("error", errors=[{"message": "importer-user-missing-email-and-username"}])
    too_long = options.caps.user(data)
    if too_long is not None:
        return Outcome("error", errors=[too_long])
    bad_key = custom_fields_problem(data.get("customFields"))
    if bad_key is not None:
        invalid = {"message": "importer-record-invalid", "details": {"field": bad_key}}
        return Outcome("error", errors=[invalid])
    warnings: list[dict[str, Any]] = []
    existing = None
    for import_id in import_ids:
        existing = found.by_import_id(import_id)
        if existing:
            break
    if existing is None and emails:
        existing = found.by_email(emails[0])
    wanted = username
    if wanted is not None:
        if wanted.lower() in RESERVED:
            wanted = None
        else:
            normalised = normalise_username(wanted)
            if normalised != wanted:
                warnings.append(
                    {
                        "message": "importer-user-username-normalised",
                        "details": {"original": wanted},
                    }
                )
            wanted = normalised or None
    if existing is None and wanted:
        existing = found.by_username(wanted)
        if existing is not None:
            theirs = {e["address"].lower() for e in existing.doc.get("emails") or []}
            if emails and theirs and not theirs & set(emails):
                warnings.append({"message": "importer-user-matched-by-username"})
    if existing is not None:
        if options.skip_existing:
            if options.bind_skipped:
                found.bind(existing, import_ids)
            return Outcome(
                "skipped", existing.id, "importer-user-exists-skipped", warnings=warnings
            )
        found.bind(existing, import_ids)
        return Outcome("done", existing.id, warnings=warnings)
    return _insert_new(found, data, options, now, import_ids, emails, username, wanted, warnings)


def _insert_new(
    found: Lookups,
    data: dict[str, Any],
    options: UserOptions,
    now: int,
    import_ids: list[str],
    emails: list[str],
    original_username: str | None,
    wanted: str | None,
    warnings: list[dict[str, Any]],
) -> Outcome:
    if original_username and original_username.lower() in RESERVED:
        base = f"{original_username}-imported"
        warnings.append(
            {
                "message": "importer-user-username-normalised",
                "details": {"original": original_username},
            }
        )
        username = _free_username(found, base, 2) if found.by_username(base) else base
    elif wanted:
        username = wanted
    else:
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        base = normalise_username(name.strip().lower().replace(" ", ".")) if name else ""
        if not base and emails:
            base = normalise_username(emails[0].split("@", 1)[0])
        username = _free_username(found, base or "user")
    name = data.get("name") if isinstance(data.get("name"), str) and data.get("name") else None
    doc: dict[str, Any] = {
        "username": username,
        "emails": [
            {"address": e, "verified": options.flag_emails_verified} for e in dict.fromkeys(emails)
        ],
        "type": data.get("type") if data.get("type") in ("user", "bot") else "user",
        "status": "offline",
        "name": name or _name_from_username(username),
        "importIds": import_ids,
    }
    for key in ("utcOffset", "statusText", "bio", "customFields"):
        if data.get(key) is not None:
            doc[key] = data[key]
    avatar = data.get("avatarUrl") if isinstance(data.get("avatarUrl"), str) else None
    if avatar:  # pending-avatars fetches it (§6.3) unless ``apply_avatar`` applies it below
        doc["_pendingAvatarUrl"] = avatar
    password = data.get("password") if isinstance(data.get("password"), str) else None
    if not password:
        # No password service at all (security-reliability §1.9.4): nothing to guess, and no
        # bcrypt per imported user, which would cost a minute per thousand users.
        doc["requirePasswordChange"] = True
    bcrypt_hash = hash_password(password, options.bcrypt_rounds) if password else None
    roles = _roles(data, options)
    user_id = ids.random_id()
    conn = found.conn
    try:
        with conn.begin_nested():
            accounts_repo.insert_user(
                conn,
                user_id=user_id,
                doc=doc,
                roles=roles,
                active=not bool(data.get("deleted")),
                password_bcrypt=bcrypt_hash,
                now=now,
            )
            accounts_repo.add_import_ids(conn, user_id, options.namespace, import_ids)
            if avatar and options.apply_avatar is not None:
                options.apply_avatar(conn, user_id, avatar, now)
    except Exception as exc:  # a username or email taken meanwhile: this record only
        return Outcome(
            "error",
            errors=[
                {
                    "message": "importer-user-insert-failed",
                    "details": {"reason": type(exc).__name__},
                }
            ],
        )
    # What later records of the batch may read of it: its id, username, emails, import ids.
    found.inserted(accounts_repo.UserRow(user_id, username, True, roles, None, now, now, doc))
    return Outcome("done", user_id, warnings=warnings)


def _roles(data: dict[str, Any], options: UserOptions) -> list[str]:
    given = [r for r in data.get("roles") or [] if isinstance(r, str)]
    if data.get("_rolesTrusted"):
        return list(dict.fromkeys(given)) or list(options.default_roles)
    if not options.grant_archive_roles:
        given = [r for r in given if r in ARCHIVE_ROLES]
    return list(dict.fromkeys(given)) or list(options.default_roles)


ROCKET_CAT = "rocket.cat"


def ensure_rocket_cat(conn: Connection, now: int) -> None:
    """Rocket.Chat's built-in bot: import id ``rocket.cat`` always resolves to it."""
    if accounts_repo.get_user(conn, ROCKET_CAT) is not None:
        return
    if accounts_repo.find_by_username(conn, ROCKET_CAT) is not None:
        return
    doc = {
        "username": ROCKET_CAT,
        "emails": [],
        "type": "bot",
        "status": "online",
        "name": "Rocket.Cat",
    }
    with conn.begin_nested():
        accounts_repo.insert_user(
            conn,
            user_id=ROCKET_CAT,
            doc=doc,
            roles=["bot"],
            active=True,
            password_bcrypt=None,
            now=now,
        )


_UNKNOWN: Any = object()


def _listed(value: Any) -> list[Any]:
    """Only well-formed lists are preloaded; anything else is left to the database."""
    return list(value) if isinstance(value, list | tuple) else []


class Lookups:
    """The user lookups :func:`convert_user` makes, answered from one batch's preload.

    Three queries per batch (import ids, first emails, usernames) instead of three per user.
    A key the preload did not cover asks the database. Every write of the batch goes through
    :meth:`bind` and :meth:`inserted`, which update the answers as the database would give
    them: a new user is the only one with its username and first email (it was created
    because neither matched), and binding import ids never moves one already bound.
    """

    def __init__(self, conn: Connection, namespace: str) -> None:
        self.conn = conn
        self.namespace = namespace
        self._import_ids: dict[str, accounts_repo.UserRow | None] = {}
        self._emails: dict[str, accounts_repo.UserRow | None] = {}
        self._usernames: dict[str, accounts_repo.UserRow | None] = {}

    def preload(self, records: list[dict[str, Any]]) -> Lookups:
        import_ids: list[str] = []
        emails: list[str] = []
        usernames: list[str] = []
        for data in records:
            import_ids.extend(str(i) for i in _listed(data.get("importIds")) if i)
            first = next(
                (e for e in _listed(data.get("emails")) if isinstance(e, str) and e.strip()), None
            )
            if first is not None:
                emails.append(first.strip().lower())
            name = data.get("username")
            if isinstance(name, str) and name:
                usernames.extend((normalise_username(name), f"{name}-imported"))
        bound = accounts_repo.find_by_import_ids(self.conn, self.namespace, import_ids)
        self._import_ids.update((i, bound.get(i)) for i in import_ids)
        named = accounts_repo.find_by_usernames(self.conn, usernames)
        self._usernames.update((n.lower(), named.get(n.lower())) for n in usernames if n)
        by_email: dict[str, list[accounts_repo.UserRow]] = {e: [] for e in emails}
        for email, user in accounts_repo.users_by_emails(self.conn, emails):
            by_email.setdefault(email, []).append(user)
        for email, users in by_email.items():
            first_created = min((u.created_at for u in users), default=None)
            earliest = [u for u in users if u.created_at == first_created]
            if len(earliest) <= 1:  # a tie is left to the database's own order
                self._emails[email] = earliest[0] if earliest else None
        return self

    def by_import_id(self, import_id: str) -> accounts_repo.UserRow | None:
        found = self._import_ids.get(import_id, _UNKNOWN)
        if found is _UNKNOWN:
            found = accounts_repo.find_by_import_id(self.conn, self.namespace, import_id)
            self._import_ids[import_id] = found
        return found

    def by_email(self, email: str) -> accounts_repo.UserRow | None:
        found = self._emails.get(email.lower(), _UNKNOWN)
        if found is _UNKNOWN:
            return accounts_repo.find_by_email(self.conn, email)
        return found

    def by_username(self, username: str) -> accounts_repo.UserRow | None:
        key = username.lower()
        found = self._usernames.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = accounts_repo.find_by_username(self.conn, username)
            self._usernames[key] = found
        return found

    def bind(self, user: accounts_repo.UserRow, import_ids: list[str]) -> None:
        accounts_repo.add_import_ids(self.conn, user.id, self.namespace, import_ids)
        for import_id in import_ids:  # the free ones are bound now; the others stay as they were
            if self._import_ids.get(import_id, _UNKNOWN) is None:
                self._import_ids[import_id] = user

    def inserted(self, user: accounts_repo.UserRow) -> None:
        """A user just created (with its import ids bound)."""
        for import_id in user.doc.get("importIds") or []:
            if self._import_ids.get(import_id, _UNKNOWN) is None:
                self._import_ids[import_id] = user
        if user.username:
            self._usernames[user.username.lower()] = user
        email = accounts_repo.first_email(user.doc)
        if email is not None:
            self._emails[email] = user
