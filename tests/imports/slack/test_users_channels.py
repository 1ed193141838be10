"""users.json and the conversation files (importers.md §2.3, §2.4, §1.11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatport.imports.importers.slack import SlackExport

from .builder import export_zip, write_zip


def users_of(tmp_path: Path, users: Any, **options: Any) -> list[Any]:
    with SlackExport(export_zip(tmp_path, [], users=users), **options) as export:
        return list(export.users())


def channels_of(tmp_path: Path, members: dict[str, Any], **options: Any) -> list[Any]:
    with SlackExport(write_zip(tmp_path / "c.zip", members), **options) as export:
        return list(export.channels())


def test_user_fields(tmp_path: Path) -> None:
    [record] = users_of(
        tmp_path,
        [
            {
                "id": "U1",
                "name": "ann",
                "real_name": "Ann Top",
                "deleted": False,
                "tz_offset": 19800,
                "profile": {
                    "real_name": "Ann Archer",
                    "display_name": "annie",
                    "email": "ann@example.com",
                    "image_512": "https://i/512.png",
                    "image_original": "https://i/orig.png",
                    "status_text": "busy",
                    "title": "CTO",
                },
                "is_admin": True,
                "is_owner": True,
            }
        ],
    )
    assert record.data == {
        "importIds": ["U1"],
        "username": "ann",
        "name": "Ann Archer",
        "emails": ["ann@example.com"],
        "utcOffset": 5.5,
        "avatarUrl": "https://i/orig.png",
        "deleted": False,
        "statusText": "busy",
        "bio": "CTO",
        "type": "user",
    }
    assert record.source == {"entry": "users.json", "index": 0}
    assert record.skip_reason is None


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"real_name": "Top", "profile": {"display_name": "d"}}, {"name": "Top"}),
        ({"profile": {"display_name": "d"}}, {"name": "d"}),
        ({"profile": {"email": ""}}, {"emails": []}),
        ({"tz_offset": 0}, {"utcOffset": 0}),
        ({"tz_offset": -18000}, {"utcOffset": -5}),
        ({"profile": {"image_512": "https://i/512"}}, {"avatarUrl": "https://i/512"}),
        ({"deleted": True}, {"deleted": True}),
        ({"is_bot": True}, {"type": "bot", "roles": ["bot"]}),
    ],
)
def test_user_field_fallbacks(tmp_path: Path, user: dict[str, Any], expected: Any) -> None:
    [record] = users_of(tmp_path, [{"id": "U1", "name": "x", **user}])
    for key, value in expected.items():
        assert record.data[key] == value
    assert "utcOffset" in record.data or "tz_offset" not in user


def test_missing_tz_offset_and_empty_profile_fields_are_omitted(tmp_path: Path) -> None:
    [record] = users_of(
        tmp_path, [{"id": "U1", "name": "x", "profile": {"status_text": "", "title": ""}}]
    )
    assert record.data == {"importIds": ["U1"], "username": "x", "emails": [], "type": "user"}


@pytest.mark.parametrize(
    ("mode", "roles", "skip"),
    [
        ("guest", ["guest"], None),
        ("user", None, None),
        ("skip", None, "importer-user-guest-skipped"),
    ],
)
@pytest.mark.parametrize("flag", ["is_restricted", "is_ultra_restricted"])
def test_guests(tmp_path: Path, flag: str, mode: str, roles: Any, skip: Any) -> None:
    [record] = users_of(tmp_path, [{"id": "U1", "name": "g", flag: True}], guests=mode)
    assert record.data.get("roles") == roles
    assert record.skip_reason == skip


def test_slackbot_is_mapped_to_rocket_cat(tmp_path: Path) -> None:
    records = users_of(tmp_path, [{"id": "USLACKBOT", "name": "slackbot"}, {"id": "U1"}])
    assert records[0].skip_reason == "importer-user-mapped-to-rocket-cat"
    assert records[1].skip_reason is None


def test_invalid_users_are_error_records(tmp_path: Path) -> None:
    records = users_of(
        tmp_path,
        [
            "not an object",
            {"name": "no id"},
            {"id": "U2", "name": 5},
            {"id": "U3", "profile": {"email": ["x"]}},
            {"id": "U4", "name": "fine"},
        ],
    )
    assert [r.errors for r in records] == [
        [{"message": "importer-record-invalid", "details": {"field": ""}}],
        [{"message": "importer-record-invalid", "details": {"field": "id"}}],
        [{"message": "importer-record-invalid", "details": {"field": "name"}}],
        [{"message": "importer-record-invalid", "details": {"field": "profile.email"}}],
        [],
    ]
    assert records[2].data == {"importIds": ["U2"]}
    assert [r.source["index"] for r in records] == [0, 1, 2, 3, 4]


def test_duplicate_key_marks_only_its_user(tmp_path: Path) -> None:
    raw = b'[{"id": "U1", "name": "a", "name": "b"}, {"id": "U2", "name": "c"}]'
    path = write_zip(tmp_path / "d.zip", {"users.json": raw})
    with SlackExport(path) as export:
        records = list(export.users())
    assert records[0].errors[0]["message"] == "importer-record-invalid"
    assert "duplicate key" in records[0].errors[0]["details"]["reason"]
    assert records[1].data["username"] == "c"


def test_users_json_that_does_not_parse_is_one_error(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "u.zip", {"users.json": b'[{"id": "U1",\n oops}]'})
    with SlackExport(path) as export:
        records = list(export.users())
        assert export.namespace == "slack:"
    assert len(records) == 1
    assert records[0].errors[0]["message"] == "importer-entry-invalid"
    assert records[0].errors[0]["details"]["line"] == 2
    assert records[0].source == {"entry": "users.json"}


def test_lone_surrogate_warning(tmp_path: Path) -> None:
    raw = b'[{"id": "U1", "name": "a\\ud800"}, {"id": "U2", "name": "b"}]'
    path = write_zip(tmp_path / "s.zip", {"users.json": raw})
    with SlackExport(path) as export:
        records = list(export.users())
    assert records[0].data["username"] == "a\ufffd"
    assert records[0].warnings == [{"message": "importer-text-invalid-unicode"}]
    assert records[1].warnings == []


def test_org_users_json_is_read_in_grid_exports(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "grid.zip",
        {
            "org_users.json": [
                {
                    "id": "W1",
                    "name": "w",
                    "team_id": "T9",
                    "enterprise_user": {"enterprise_id": "E1"},
                },
                {"id": "W2", "name": "v", "team_id": "T9", "enterprise_id": "E1"},
            ]
        },
    )
    with SlackExport(path) as export:
        assert [r.data["importIds"] for r in export.users()] == [["W1"], ["W2"]]
        assert export.namespace == "slack:E1"


@pytest.mark.parametrize(
    ("teams", "namespace"),
    [
        (["T2", "T1", "T2"], "slack:T2"),
        (["T2", "T1"], "slack:T1"),
        ([None], "slack:"),
    ],
)
def test_namespace_most_frequent_team(tmp_path: Path, teams: list[Any], namespace: str) -> None:
    users = [{"id": f"U{n}", "team_id": team} for n, team in enumerate(teams)]
    with SlackExport(export_zip(tmp_path, [], users=users)) as export:
        assert export.namespace == namespace


def test_namespace_without_users_json(tmp_path: Path) -> None:
    with SlackExport(write_zip(tmp_path / "n.zip", {"channels.json": []})) as export:
        assert export.namespace == "slack:"
        assert list(export.users()) == []


# -- conversations -----------------------------------------------------------------------------


def test_channel_fields(tmp_path: Path) -> None:
    records = channels_of(
        tmp_path,
        {
            "channels.json": [
                {
                    "id": "C1",
                    "name": "general",
                    "is_general": True,
                    "creator": "U1",
                    "created": 1500000000,
                    "updated": 1500000000123,
                    "is_archived": False,
                    "members": ["U1", "USLACKBOT", "U2", "U1", "U00"],
                    "topic": {"value": "a &lt;b&gt; &amp; c", "creator": "U1", "last_set": 0},
                    "purpose": {"value": "", "creator": "", "last_set": 0},
                },
                {"id": "C2", "name": "old", "created": 1, "is_archived": True, "members": []},
                {"id": "C3", "name": "nocreator", "created": "1433558319", "members": ["U1"]},
            ]
        },
    )
    assert [r.data for r in records] == [
        {
            "importIds": ["C1"],
            "t": "c",
            "name": "general",
            "u": {"_id": "U1"},
            "users": ["U1", "rocket.cat", "U2"],
            "topic": "a <b> & c",
            "ts": 1500000000000,
            "archived": False,
            "_id": "general",
        },
        {"importIds": ["C2"], "t": "c", "name": "old", "users": [], "archived": True},
        {"importIds": ["C3"], "t": "c", "name": "nocreator", "users": ["U1"], "ts": 1433558319000},
    ]
    assert records[2].source == {"entry": "channels.json", "index": 2}


def test_groups_mpims_dms(tmp_path: Path) -> None:
    members = ["U1", "U2", "U3"]
    records = channels_of(
        tmp_path,
        {
            "groups.json": [
                {
                    "id": "G1",
                    "name": "secret",
                    "creator": "USLACKBOT",
                    "members": members,
                    "is_general": True,
                    "purpose": {"value": "p &amp; q"},
                },
            ],
            "mpims.json": [
                {"id": "G2", "name": "mpdm-a--b--c-1", "creator": "U1", "members": members},
                {"id": "G3", "name": "mpdm-big-1", "creator": "U1", "members": members + ["U4"]},
            ],
            "dms.json": [
                {"id": "D1", "created": 1556638416, "members": ["U1", "U2"]},
                {"id": "D2", "created": 1555422321, "members": ["U3", "U3"]},
            ],
        },
        dm_max_users=3,
    )
    assert [r.data for r in records] == [
        {
            "importIds": ["G1"],
            "t": "p",
            "name": "secret",
            "u": {"_id": "rocket.cat"},
            "users": members,
            "description": "p & q",
        },
        {
            "importIds": ["G2"],
            "t": "d",
            "name": "mpdm-a--b--c-1",
            "u": {"_id": "U1"},
            "users": members,
        },
        {
            "importIds": ["G3"],
            "t": "p",
            "name": "mpdm-big-1",
            "u": {"_id": "U1"},
            "users": members + ["U4"],
        },
        {"importIds": ["D1"], "t": "d", "users": ["U1", "U2"], "ts": 1556638416000},
        {"importIds": ["D2"], "t": "d", "users": ["U3"], "ts": 1555422321000},
    ]


@pytest.mark.parametrize(("limit", "t"), [(8, "d"), (2, "p"), (0, "p"), (3, "d")])
def test_mpim_dm_max_users(tmp_path: Path, limit: int, t: str) -> None:
    [record] = channels_of(
        tmp_path,
        {"mpims.json": [{"id": "G1", "name": "mpdm-x", "members": ["U1", "U2", "U3"]}]},
        dm_max_users=limit,
    )
    assert record.data["t"] == t


def test_channel_pins_are_carried(tmp_path: Path) -> None:
    [record] = channels_of(
        tmp_path,
        {
            "channels.json": [
                {
                    "id": "C1",
                    "name": "g",
                    "pins": [
                        {
                            "id": "1500000000.000100",
                            "type": "C",
                            "created": 1500000100,
                            "user": "U1",
                        },
                        {"id": "F1", "type": "F", "created": 1500000100},
                    ],
                }
            ]
        },
    )
    assert record.data["_pins"] == [
        {"_id": "slack-C1-1500000000-000100", "pinnedAt": 1500000100000, "pinnedBy": "U1"}
    ]


def test_invalid_channels_and_unparseable_files(tmp_path: Path) -> None:
    records = channels_of(
        tmp_path,
        {
            "channels.json": [{"id": "C1", "members": "U1"}, 7, {"id": "C2", "name": "ok"}],
            "groups.json": b"{not json",
            "dms.json": {"not": "an array"},
        },
    )
    assert [r.errors[0]["message"] if r.errors else None for r in records] == [
        "importer-record-invalid",
        "importer-record-invalid",
        None,
        "importer-entry-invalid",
        "importer-entry-invalid",
    ]
    assert records[0].errors[0]["details"] == {"field": "members"}
    assert records[0].data == {"importIds": ["C1"]}
    assert records[3].source == {"entry": "groups.json"}
    assert records[3].data_type == "channel"
