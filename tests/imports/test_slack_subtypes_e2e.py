"""Every row of the Slack subtype table (importers §2.6), imported over HTTP and read back."""

from __future__ import annotations

from typing import Any

from tests.imports.slack_fixtures import build_export
from tests.support.fileserver import FileServer
from tests.support.importing import EVERYTHING, load, run_import
from tests.support.server import LiveServer

USERS = [
    {"id": "U1", "name": "ann", "profile": {"real_name": "Ann", "email": "ann@x.io"}},
    {"id": "U2", "name": "bob", "profile": {"real_name": "Bob", "email": "bob@x.io"}},
    {
        "id": "UB",
        "name": "deploybot",
        "is_bot": True,
        "profile": {"real_name": "Deploy", "bot_id": "B1"},
    },
]
CHANNELS = [
    {"id": "C1", "name": "dev", "creator": "U1", "members": ["U1", "U2"], "created": 1500000000}
]


def _m(ts: int, **fields: Any) -> dict[str, Any]:
    return {"type": "message", "ts": f"{ts}.000000", **fields}


ELEMENTS = [
    _m(1600000000, user="U1", text="plain"),
    _m(1600000001, user="U1", text="waves", subtype="me_message"),
    _m(
        1600000002,
        user="U2",
        text="parent",
        thread_ts="1600000002.000000",
        reply_count=1,
        reply_users=["U1"],
        latest_reply="1600000003.000000",
    ),
    _m(
        1600000003,
        user="U1",
        text="also here",
        subtype="thread_broadcast",
        thread_ts="1600000002.000000",
    ),
    _m(1600000004, bot_id="B1", text="deployed", subtype="bot_message", username="deploybot"),
    _m(1600000005, user="U2", subtype="channel_join", text="<@U2> has joined"),
    _m(1600000006, user="U2", subtype="channel_leave", text="<@U2> has left"),
    _m(1600000007, user="U1", subtype="channel_topic", topic="a &amp; b", text="set topic"),
    _m(1600000008, user="U1", subtype="channel_purpose", purpose="why", text="set purpose"),
    _m(1600000009, user="U1", subtype="channel_name", name="devs", old_name="dev", text="renamed"),
    _m(
        1600000010,
        user="U1",
        subtype="pinned_item",
        item_type="C",
        item={"type": "message", "channel": "C1", "ts": "1600000000.000000"},
        attachments=[{"text": "plain", "ts": "1600000000.000000", "channel_id": "C1"}],
        text="pinned",
    ),
    _m(1600000011, user="U1", subtype="tombstone", text="This message was deleted."),
    _m(1600000012, user="U1", subtype="bot_add", text="added an integration"),
    _m(1600000013, user="U1", subtype="message_deleted", text="gone"),
    _m(1600000014, user="U1", subtype="channel_archive", text="archived the channel"),
    _m(
        1600000015,
        user="U1",
        subtype="file_comment",
        text="",
        comment={"user": "U2", "comment": "nice file"},
    ),
    _m(
        1600000016,
        user="U1",
        text="with a file",
        subtype="file_share",
        files=[
            {
                "id": "F1",
                "name": "a.txt",
                "url_private_download": "https://files.slack.com/a.txt",
                "size": 3,
            }
        ],
    ),
    {"type": "not_a_message", "ts": "1600000017.000000"},
]


def test_every_subtype_row(server: LiveServer, files: FileServer) -> None:
    admin = server.admin()
    body = build_export(
        {"users.json": USERS, "channels.json": CHANNELS, "dev/2020-09-13.json": ELEMENTS}
    )
    selection = load(server, admin, files, body)
    assert selection["message_count"] == len(ELEMENTS) + 1  # plus one file message
    progress = run_import(server, admin, EVERYTHING)
    assert progress["step"] == "importer_done"
    count = progress["count"]
    assert count["completed"] + count["skipped"] + count["error"] == count["total"]

    def get(ts: int, suffix: str = "") -> dict[str, Any] | None:
        r = admin.get(f"/api/v1/chat.getMessage?msgId=slack-C1-{ts}-000000{suffix}").json()
        return r.get("message")

    assert get(1600000000)["msg"] == "plain"  # type: ignore[index]
    assert get(1600000001)["msg"] == "_waves_"  # type: ignore[index]
    parent = get(1600000002)
    assert parent is not None and parent["tcount"] == 1
    broadcast = get(1600000003)
    assert broadcast["tmid"] == "slack-C1-1600000002-000000" and broadcast["tshow"] is True  # type: ignore[index]
    bot = get(1600000004)
    assert bot["bot"] is True and bot["u"]["username"] == "deploybot"  # type: ignore[index]
    assert get(1600000005)["t"] == "uj" and get(1600000005)["msg"] == ""  # type: ignore[index]
    assert get(1600000006)["t"] == "ul"  # type: ignore[index]
    topic = get(1600000007)
    assert topic["t"] == "room_changed_topic" and topic["msg"] == "a & b"  # type: ignore[index]
    assert get(1600000008)["t"] == "room_changed_description"  # type: ignore[index]
    renamed = get(1600000009)
    assert renamed["t"] == "r" and renamed["msg"] == "devs"  # type: ignore[index]
    pin = get(1600000010)
    assert pin["t"] == "message_pinned"  # type: ignore[index]
    assert pin["attachments"][0]["text"] == "plain"  # type: ignore[index]
    target = get(1600000000)
    assert target["pinned"] is True and target["pinnedBy"]["username"] == "ann"  # type: ignore[index]
    assert get(1600000011)["msg"] == "This message was deleted."  # type: ignore[index]
    assert get(1600000012) is None and get(1600000013) is None  # ignored subtypes
    assert get(1600000014)["msg"] == "archived the channel"  # type: ignore[index]
    comment = get(1600000015)
    assert comment["msg"] == "nice file" and comment["u"]["username"] == "bob"  # type: ignore[index]
    share = get(1600000016)
    assert share["msg"] == "with a file"  # type: ignore[index]
    with server.ctx.engine.connect() as conn:
        from chatport.workspace.messages import get_message

        file_message = get_message(conn, "slack-C1-1600000016-000000-file1")
    assert file_message is not None and file_message.doc.get("_hidden") is True
    assert file_message.doc["_importFile"]["downloadUrl"] == "https://files.slack.com/a.txt"
