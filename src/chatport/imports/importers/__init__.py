"""Importer readers, one per key; a key without a reader is not registered.

A reader turns a stored file into staged records and knows nothing of the workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from chatport.context import Context
from chatport.imports.lease import Lease
from chatport.imports.operations import Operation

PrepareFn = Callable[[Context, Operation, Lease], None]

# Keys served by the import machinery itself: they take no file to parse.
BUILTIN_KEYS = frozenset({"pending-files", "pending-avatars", "api"})


def _readers() -> dict[str, PrepareFn]:
    from chatport.imports.importers.slack_users_prepare import prepare_slack_users

    return {"slack-users": prepare_slack_users}


READERS: dict[str, PrepareFn] = _readers()


def available_keys() -> set[str]:
    return set(BUILTIN_KEYS) | set(READERS)
