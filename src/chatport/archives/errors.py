"""Errors raised while reading an import archive.

Every message describes the archive's *content* (a member, a line, a problem) so the importer can
put it verbatim into the operation's ``failureMessage``; no message ever contains one of chatport's
own filesystem paths (security-reliability.md §1.11).
"""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive (or one member of it) is unusable.

    ``str(exc)`` is a human sentence about the content, safe to show the admin, for example
    ``"not a zip file"``, ``"users.json appears twice"``, ``"member ../x: unsafe name"`` or
    ``"unsupported archive: compression method bzip2"``.
    """


class MemberTooLarge(ArchiveError):
    """A member produced (or declares) more bytes than its cap.

    A subclass so that an importer can turn it into one error record for that member where the
    format allows it, instead of failing the whole archive.
    """


class InvalidRecord(ArchiveError):
    """A JSON document is well-formed but holds a value chatport refuses (§1.7 item 2).

    Duplicate keys, ``NaN``/``Infinity``, integers over 4300 digits and numbers out of float range
    make the *record* invalid rather than the file unreadable, so importers can report it as a
    per-record error.
    """
