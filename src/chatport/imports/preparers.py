"""Which preparation runs for which importer key; a key without one is not registered."""

from __future__ import annotations

from collections.abc import Callable

from chatport.context import Context
from chatport.imports.lease import Lease
from chatport.imports.operations import Operation
from chatport.imports.stage_csv import prepare_csv
from chatport.imports.stage_hipchat import prepare_hipchat
from chatport.imports.stage_slack import prepare_slack
from chatport.imports.stage_slack_users import prepare_slack_users

PrepareFn = Callable[[Context, Operation, Lease], None]

# Keys served by the import machinery itself: they take no file to parse.
BUILTIN_KEYS = frozenset({"pending-files", "pending-avatars", "api"})

PREPARERS: dict[str, PrepareFn] = {
    "csv": prepare_csv,
    "slack": prepare_slack,
    "slack-users": prepare_slack_users,
    "hipchatenterprise": prepare_hipchat,
}


def available_keys() -> set[str]:
    return set(BUILTIN_KEYS) | set(PREPARERS)
