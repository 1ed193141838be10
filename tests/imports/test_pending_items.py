"""Pending items: one winner per claim, expiring leases, fenced finishing, indexed lookup."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from sqlalchemy import Engine

from chatport.imports import pending_items as items
from chatport.imports.pending_cleanup import remove_orphans
from chatport.imports.pending_files import candidates_query, collect_files
from chatport.workspace import uploads
from chatport.workspace.rooms import ensure_general
from chatport.workspace.upload_store import UploadStore

LEASE = 1000


def _seed(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        found = [items.NewItem(f"F{i}", f"http://x.test/{i}", {"ids": [f"m{i}"]}) for i in range(n)]
        items.replace_items(conn, "op1", found, 0)


def test_racing_workers_never_share_an_item(engine: Engine) -> None:
    _seed(engine, 20)
    claimed: dict[str, list[str]] = {}
    lock = threading.Lock()

    def worker(owner: str) -> None:
        while True:
            with engine.begin() as conn:
                item = items.claim_next(conn, "op1", owner, 10, LEASE)
            if item is None:
                return
            with lock:
                claimed.setdefault(item.key, []).append(owner)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(claimed) == sorted(f"F{i}" for i in range(20))
    assert all(len(owners) == 1 for owners in claimed.values())


def test_expired_lease_is_claimed_again_and_fences_the_first_owner(engine: Engine) -> None:
    _seed(engine, 1)
    with engine.begin() as conn:
        first = items.claim_next(conn, "op1", "dead", 0, LEASE)
        assert first is not None
        assert items.claim_next(conn, "op1", "other", LEASE - 1, LEASE) is None  # still leased
        second = items.claim_next(conn, "op1", "other", LEASE + 1, LEASE)
        assert second is not None and second.key == first.key
        assert not items.renew(conn, first, "dead", LEASE + 2, LEASE)
        assert not items.finish(conn, first, "dead", items.DONE, None, LEASE + 3)
        assert items.finish(conn, second, "other", items.ERROR, "code", LEASE + 4)
        assert items.remaining(conn, "op1") == 0
        assert items.tally(conn, "op1") == {items.ERROR: 1}
        assert items.claim_next(conn, "op1", "third", 10 * LEASE, LEASE) is None  # finished


def test_a_new_operation_replaces_the_items_of_earlier_ones(engine: Engine) -> None:
    _seed(engine, 3)
    with engine.begin() as conn:
        items.replace_items(conn, "op2", [items.NewItem("F9", "http://x.test/9", {})], 0)
        assert items.remaining(conn, "op1") == 0
        assert items.remaining(conn, "op2") == 1


def test_pending_file_lookup_uses_the_hidden_message_index(engine: Engine) -> None:
    query = candidates_query()
    with engine.connect() as conn:
        assert collect_files(conn) == []
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # empty tables: force the choice
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_messages_hidden" in plan


def test_orphans_older_than_a_lease_are_removed(engine: Engine, tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "uploads")
    kept = store.put_bytes(b"referenced").sha256
    orphan = store.put_bytes(b"orphan").sha256
    fresh = store.put_bytes(b"just written").sha256
    assert kept and orphan and fresh
    with engine.begin() as conn:
        ensure_general(conn, 0)
        uploads.save_upload(
            conn, {"_id": "UP1", "rid": "GENERAL", "name": "a"}, now=0, blob_sha256=kept
        )
    stale = store.temp_dir / "dead.part"
    stale.write_bytes(b"partial")
    old = time.time() - 3600
    for path in (store.blob_path(kept), store.blob_path(orphan), stale):
        os.utime(path, (old, old))
    assert remove_orphans(engine, store, 120) == 2
    assert store.exists(kept) and store.exists(fresh) and not store.exists(orphan)
    assert not stale.exists()
