"""chatport benchmarks: a Slack export generator, a bare-limit baseline and the runner.

``make bench`` (``python -m benchmarks.run``) measures chatport's Slack import end to end
against the bare limit of the same work, on exports this package generates:

- :mod:`benchmarks.generate_slack` writes a deterministic, realistic Slack export zip of a
  given number of messages (users, public and private channels, multi-party and 1:1 DMs,
  threads, reactions with skin tones, edits, file shares, join/leave/topic/purpose/pin/bot/me
  subtypes, user and channel mentions), streaming, in bounded memory::

      python -m benchmarks.generate_slack --messages 100000 --out bench-out/export.zip

- :mod:`benchmarks.baseline` is the bare limit: unzip, ``json.loads`` each day file and insert
  one row per message into a fresh SQLite file (WAL, ``synchronous=FULL``), in batched
  transactions. Nothing chatport does can be cheaper than this::

      python -m benchmarks.baseline bench-out/export.zip --db /tmp/baseline.db

- :mod:`benchmarks.run` generates (cached under ``bench-out/``), runs the baseline and then
  ``python -m chatport import <zip> --importer slack`` as subprocesses with a fresh data
  directory each, and prints messages/s, the ratio chatport time / baseline time and the peak
  RSS of each, with PASS/FAIL against ratio <= 2.5 and RSS <= 400 MB; the figures also go to
  ``bench-out/results.json``::

      python -m benchmarks.run --sizes 100000,1000000

See ``docs/benchmarks.md`` for what is measured and the latest figures.
"""
