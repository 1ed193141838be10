"""A Slack export shaped for the reads benchmark: one very large channel and a few small ones.

``python -m benchmarks.generate_reads --messages 1000000 --out bench-out/reads-1000000.zip``

* ``big`` holds 95 % of the messages (so a page 900,000 messages deep exists), the rest are
  spread over ``side-0`` … ``side-4``;
* every text is 6–14 words from a 4,000-word vocabulary drawn with Zipf-like weights, so word
  frequencies look like chat: a few words everywhere, most words rare;
* :data:`COMMON` is in about one message in five, :data:`RARE` in exactly :data:`RARE_COUNT`
  messages of ``big``, spread over its history;
* ``--prefix`` renames the channels and their ids, so a second export (the import that runs
  while readers read) adds rooms instead of merging into these.

Deterministic for a seed. Written day file by day file, so memory stays small.
"""

from __future__ import annotations

import argparse
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

VERSION = 1
COMMON = "status"
RARE = "zyzzyva"
RARE_COUNT = 20
PER_DAY = 10_000
USERS = 200
START = 1_499_990_400  # 2017-07-14T00:00:00Z
FIRST_DAY = date(2017, 7, 14)
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu")


def vocabulary(size: int = 4000) -> list[str]:
    words: list[str] = []
    n = 0
    while len(words) < size:
        a, b, c = n % 12, (n // 12) % 12, (n // 144) % 12
        words.append(_SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c] + ("" if n < 1728 else "x"))
        n += 1
    return words


def _channels(prefix: str, big: int, side: int) -> list[tuple[str, str, int]]:
    per_side = side // 5
    sides = [(f"{prefix}S{i}", f"{prefix.lower()}side-{i}", per_side) for i in range(5)]
    sides[-1] = (sides[-1][0], sides[-1][1], side - per_side * 4)
    return [(f"{prefix}BIG", f"{prefix.lower()}big", big), *sides]


def generate(messages: int, out: Path, *, seed: int = 1, prefix: str = "C") -> None:
    rng = random.Random(seed)
    words = vocabulary()
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    big = messages * 95 // 100
    channels = _channels(prefix, big, messages - big)
    rare_at = set(rng.sample(range(big), min(RARE_COUNT, big)))
    users = [
        {
            "id": f"U{n:05d}",
            "name": f"reader{n}",
            "profile": {"real_name": f"Reader {n}", "email": f"reader{n}@bench.invalid"},
        }
        for n in range(USERS)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("users.json", orjson.dumps(users))
        archive.writestr(
            "channels.json",
            orjson.dumps(
                [
                    {
                        "id": cid,
                        "name": name,
                        "created": START,
                        "creator": "U00000",
                        "members": [u["id"] for u in users],
                    }
                    for cid, name, _ in channels
                ]
            ),
        )
        for cid, name, count in channels:
            written = 0
            day = 0
            while written < count:
                n = min(PER_DAY, count - written)
                items: list[dict[str, Any]] = []
                base = START + day * 86400
                drawn = rng.choices(words, weights, k=n * 10)
                for i in range(n):
                    k = 6 + (i * 7 + day) % 9
                    text = drawn[i * 10 : i * 10 + min(k, 10)]
                    if rng.random() < 0.2:
                        text.append(COMMON)
                    if cid.endswith("BIG") and written + i in rare_at:
                        text.append(RARE)
                    items.append(
                        {
                            "type": "message",
                            "user": f"U{(i * 31 + day) % USERS:05d}",
                            "text": " ".join(text),
                            "ts": f"{base + i * 8}.{i % 1000:06d}",
                        }
                    )
                date = (FIRST_DAY + timedelta(days=day)).isoformat()
                archive.writestr(f"{name}/{date}.json", orjson.dumps(items))
                written += n
                day += 1
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="C")
    args = parser.parse_args(argv)
    generate(args.messages, args.out, seed=args.seed, prefix=args.prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
