"""The benchmark's Slack export generator and baseline (benchmarks/)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate_slack import MAX_PER_DAY, generate

from benchmarks import baseline
from chatport.imports.importers.slack.reader import SlackExport

N = 1500


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "export.zip"
    generate(N, path, seed=1)
    return path


def _day_files(path: Path) -> dict[str, list[dict[str, Any]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: json.loads(archive.read(name))
            for name in archive.namelist()
            if name.count("/") == 1 and name.endswith(".json")
        }


def test_same_seed_same_bytes(export: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    generate(N, again, seed=1)
    assert again.read_bytes() == export.read_bytes()
    other = tmp_path / "other.zip"
    generate(N, other, seed=2)
    assert other.read_bytes() != export.read_bytes()


def test_no_partial_file_left(tmp_path: Path) -> None:
    generate(10, tmp_path / "small.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.zip"]


@pytest.mark.parametrize("count", [0, 1, 7, 333])
def test_exact_message_count_small(count: int, tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    generate(count, path)
    assert sum(len(v) for v in _day_files(path).values()) == count


def test_exactly_n_messages_and_valid_structure(export: Path) -> None:
    days = _day_files(export)
    assert sum(len(v) for v in days.values()) == N
    assert all(1 <= len(v) <= MAX_PER_DAY for v in days.values())
    seen: dict[str, set[str]] = {}
    subtypes: Counter[str] = Counter()
    for name, messages in days.items():
        folder = name.split("/")[0]
        stamps = seen.setdefault(folder, set())
        by_ts = {m["ts"]: m for m in messages}
        children: Counter[str] = Counter()
        for m in messages:
            assert m["type"] == "message"
            sec, frac = m["ts"].split(".")
            assert sec.isdigit() and len(frac) == 6 and frac.isdigit()
            assert m["ts"] not in stamps, "ts must be unique per channel"
            stamps.add(m["ts"])
            subtypes[m.get("subtype", "")] += 1
            if "thread_ts" in m and m["thread_ts"] != m["ts"]:
                children[m["thread_ts"]] += 1
        for thread_ts, replies in children.items():
            parent = by_ts[thread_ts]
            assert parent["reply_count"] == replies
            assert parent["latest_reply"] > thread_ts
            assert parent["reply_users"]
    for wanted in (
        "",
        "channel_join",
        "channel_leave",
        "channel_topic",
        "bot_message",
        "me_message",
        "pinned_item",
        "thread_broadcast",
        "file_share",
    ):
        assert subtypes[wanted] > 0, wanted


def test_content_features_present(export: Path) -> None:
    with zipfile.ZipFile(export) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist()).decode()
    for needle in (
        "<@U",
        "<#C",
        "<!here>",
        "skin-tone-",
        '"edited"',
        '"reactions"',
        '"url_private_download"',
        '"reply_users"',
        '"is_general": true',
        '"deleted": true',
        '"is_bot": true',
        "USLACKBOT",
        "mpdm-",
    ):
        assert needle in text, needle


def test_reader_accepts_it(export: Path) -> None:
    with SlackExport(export) as reader:
        assert reader.count_messages() >= N
        users = list(reader.users())
        channels = list(reader.channels())
        assert len(users) == N // 1000 + 20
        assert channels
        assert all(not r.errors for r in users)
        assert all(not r.errors for r in channels)
        assert sum(1 for r in channels if r.data.get("_id") == "general") == 1
        errors = [r for _, _, r in reader.messages() if r.errors]
        assert errors == []


def test_baseline_inserts_one_row_per_message(export: Path, tmp_path: Path) -> None:
    db = tmp_path / "baseline.db"
    result = baseline.run(export, db, batch=400)
    assert result["messages"] == N
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == N
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
