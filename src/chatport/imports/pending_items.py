"""The items of a pending-downloads operation and their leases (security-reliability §4.8).

Why a table of its own: the items are found once, when the operation starts (the count the
endpoint answers), then claimed one by one by a pool of workers. A claim is a conditional
``UPDATE`` (free or expired lease → mine), which has exactly one winner on both backends, so
two workers never fetch the same file; a dead worker's lease expires and its item is claimed
again. Finishing an item is fenced by its lease: a worker that lost it writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from chatport.db import tables

P = tables.pending_items

PENDING = "pending"
DONE = "done"
ERROR = "error"


def weight_of(targets: dict[str, Any]) -> int:
    """How many records wait for an item: every message sharing the file (or 1)."""
    return max(1, len(targets.get("ids") or ()))


@dataclass(frozen=True)
class NewItem:
    key: str
    url: str
    targets: dict[str, Any]

    @property
    def weight(self) -> int:
        return weight_of(self.targets)


@dataclass(frozen=True)
class Item:
    op_id: str
    key: str
    url: str
    targets: dict[str, Any]

    @property
    def weight(self) -> int:
        return weight_of(self.targets)

    @property
    def ids(self) -> list[str]:
        return [str(i) for i in self.targets.get("ids") or []]

    @property
    def name(self) -> str:
        return str(self.targets.get("name") or self.key)


def replace_items(conn: Connection, op_id: str, items: Sequence[NewItem], now: int) -> None:
    """This operation's items. Those of earlier operations went when this one was created
    (``operations.clear``), but for their failures, kept for their detail pages."""
    conn.execute(delete(P).where(P.c.op_id != op_id, P.c.state != ERROR))
    conn.execute(delete(P).where(P.c.op_id == op_id))
    rows = [
        {
            "op_id": op_id,
            "item_key": item.key,
            "seq": seq,
            "url": item.url,
            "targets": item.targets,
            "weight": item.weight,
            "state": PENDING,
            "updated_at": now,
        }
        for seq, item in enumerate(items)
    ]
    for start in range(0, len(rows), 1000):
        conn.execute(P.insert(), rows[start : start + 1000])


def _claimable(op_id: str, now: int) -> Any:
    return and_(
        P.c.op_id == op_id,
        P.c.state == PENDING,
        or_(P.c.lease_until.is_(None), P.c.lease_until < now),
    )


def claim_next(conn: Connection, op_id: str, owner: str, now: int, lease_ms: int) -> Item | None:
    """Lease the first free (or expired) item to ``owner``; None when none is free now."""
    keys = conn.execute(
        select(P.c.item_key).where(_claimable(op_id, now)).order_by(P.c.seq).limit(8)
    ).scalars()
    for key in list(keys):
        won = conn.execute(
            update(P)
            .where(_claimable(op_id, now), P.c.item_key == key)
            .values(lease_owner=owner, lease_until=now + lease_ms, updated_at=now)
        )
        if won.rowcount == 1:
            r = conn.execute(select(P).where(P.c.op_id == op_id, P.c.item_key == key)).one()
            return Item(op_id, r.item_key, r.url, dict(r.targets or {}))
    return None


def renew(conn: Connection, item: Item, owner: str, now: int, lease_ms: int) -> bool:
    result = conn.execute(
        update(P)
        .where(
            P.c.op_id == item.op_id,
            P.c.item_key == item.key,
            P.c.lease_owner == owner,
            P.c.state == PENDING,
        )
        .values(lease_until=now + lease_ms, updated_at=now)
    )
    return result.rowcount == 1


def finish(
    conn: Connection,
    item: Item,
    owner: str,
    state: str,
    error: str | None,
    now: int,
    reason: str | None = None,
) -> bool:
    """Mark the item done or failed; False (write nothing else) when the lease is not ours."""
    result = conn.execute(
        update(P)
        .where(
            P.c.op_id == item.op_id,
            P.c.item_key == item.key,
            P.c.lease_owner == owner,
            P.c.state == PENDING,
        )
        .values(
            state=state,
            error=error,
            reason=reason,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    return result.rowcount == 1


def remaining(conn: Connection, op_id: str) -> int:
    return int(
        conn.execute(
            select(func.count()).where(P.c.op_id == op_id, P.c.state == PENDING)
        ).scalar_one()
    )


def tally(conn: Connection, op_id: str) -> dict[str, int]:
    """Records per state, each item weighing the messages it serves: the counters are
    derived from here (security-reliability §4.7)."""
    rows = conn.execute(
        select(P.c.state, func.sum(P.c.weight)).where(P.c.op_id == op_id).group_by(P.c.state)
    )
    return {str(state): int(n) for state, n in rows}
