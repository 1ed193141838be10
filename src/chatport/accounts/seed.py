"""Roles and permissions created at start, as Rocket.Chat seeds them.

Existing rows are never overwritten: an admin's changes survive restarts.
"""

from __future__ import annotations

ROLES: tuple[tuple[str, str], ...] = (
    ("admin", "Users"),
    ("user", "Users"),
    ("bot", "Users"),
    ("app", "Users"),
    ("guest", "Users"),
    ("anonymous", "Users"),
    ("owner", "Subscriptions"),
    ("moderator", "Subscriptions"),
    ("leader", "Subscriptions"),
)

RUN_IMPORT = "run-import"
VIEW_IMPORT_OPERATIONS = "view-import-operations"
CREATE_USER = "create-user"
DELETE_USER = "delete-user"
VIEW_D_ROOM = "view-d-room"
VIEW_PRIVILEGED_SETTING = "view-privileged-setting"
EDIT_PRIVILEGED_SETTING = "edit-privileged-setting"
CREATE_PERSONAL_ACCESS_TOKENS = "create-personal-access-tokens"
API_BYPASS_RATE_LIMIT = "api-bypass-rate-limit"
VIEW_FULL_OTHER_USER_INFO = "view-full-other-user-info"
VIEW_ROOM_ADMINISTRATION = "view-room-administration"
VIEW_OTHER_USER_CHANNELS = "view-other-user-channels"
VIEW_C_ROOM = "view-c-room"
VIEW_JOINED_ROOM = "view-joined-room"
VIEW_P_ROOM = "view-p-room"
EDIT_OTHER_USER_PASSWORD = "edit-other-user-password"
ACCESS_PERMISSIONS = "access-permissions"
VIEW_OTHER_USER_INFO = "view-other-user-info"

PERMISSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (RUN_IMPORT, ("admin",)),
    (VIEW_IMPORT_OPERATIONS, ("admin",)),
    (CREATE_USER, ("admin",)),
    (DELETE_USER, ("admin",)),
    (EDIT_OTHER_USER_PASSWORD, ("admin",)),
    (VIEW_PRIVILEGED_SETTING, ("admin",)),
    (EDIT_PRIVILEGED_SETTING, ("admin",)),
    (CREATE_PERSONAL_ACCESS_TOKENS, ("admin", "user")),
    (API_BYPASS_RATE_LIMIT, ("admin", "bot", "app")),
    (VIEW_FULL_OTHER_USER_INFO, ("admin",)),
    (VIEW_ROOM_ADMINISTRATION, ("admin",)),
    (VIEW_OTHER_USER_CHANNELS, ("admin",)),
    ("view-user-administration", ("admin",)),
    (VIEW_D_ROOM, ("admin", "user", "bot", "app", "guest")),
    (VIEW_C_ROOM, ("admin", "user", "bot", "app", "anonymous")),
    (VIEW_JOINED_ROOM, ("guest", "bot", "app", "anonymous")),
    (VIEW_P_ROOM, ("admin", "user", "anonymous", "guest")),
    (ACCESS_PERMISSIONS, ("admin",)),
    (VIEW_OTHER_USER_INFO, ("admin",)),
)
