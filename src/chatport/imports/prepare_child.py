"""The preparation child process (security-reliability §1.6 item 15, the backstop).

The parent (``prepare.run_preparation``) holds the operation's lease and starts
:func:`run_child` with a :class:`ChildJob`. The child builds a light context on the same
configuration (an engine, the settings, the file store: no migrations, seeds or admins), takes
the parent's lease owner, so its writes are fenced exactly as the parent's would be, and runs
the preparation to its end: ready, failed or cancelled, all written here. What it cannot
write, the parent writes from its exit status: a deadline, a signal, :data:`EXIT_OUT_OF_MEMORY`.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass

from chatport.accounts.service import Accounts
from chatport.accounts.settings_store import SettingsStore
from chatport.clock import Clock
from chatport.config import Config
from chatport.context import Context
from chatport.db.engine import make_engine
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.filestore import FileStore
from chatport.imports.lease import Lease
from chatport.imports.prepare_work import prepare_leased
from chatport.imports.preparers import available_keys
from chatport.imports.registry import Registry
from chatport.jobs import crash
from chatport.jobs.runner import JobRunner

log = logging.getLogger("chatport.imports.prepare")

#: The child hit ``MemoryError`` and could not even record it.
EXIT_OUT_OF_MEMORY = 71

#: Test hook (honoured with ``TEST_MODE`` only): misbehave once the records are staged.
FAULT_ENV = "CHATPORT_PREPARE_FAULT"


@dataclass(frozen=True)
class ChildJob:
    config: Config
    clock: Clock
    op_id: str
    owner: str


def child_context(job: ChildJob) -> Context:
    """What a preparer needs, on the parent's configuration and lease owner."""
    config = job.config
    engine = make_engine(
        config.resolved_database_url(), sqlite_synchronous=config.sqlite_synchronous
    )
    return Context(
        config=config,
        engine=engine,
        clock=job.clock,
        settings=SettingsStore(engine, job.clock),
        accounts=Accounts(engine, job.clock, config),
        store=FileStore(config.resolved_import_store()),
        registry=Registry(available_keys()),
        runner=JobRunner(threads=1),
        worker_id=job.owner,
    )


def _fault(config: Config) -> None:
    """A parser that never returns, spins, eats memory or is killed (tests only)."""
    crash.point("prepare.staged")
    fault = os.environ.get(FAULT_ENV, "") if config.test_mode else ""
    if fault == "hang":
        while True:
            time.sleep(1)
    elif fault == "cpu":
        while True:
            pass
    elif fault == "memory":
        if config.prepare_memory_bytes <= 0:
            raise MemoryError  # never grow without a limit
        hoard = []
        while True:
            hoard.append(bytearray(16 << 20))
    elif fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)


def run_child(job: ChildJob) -> None:
    ctx = child_context(job)
    try:
        with ctx.engine.connect() as conn:
            op = ops.get(conn, job.op_id)
        if op is None or op.status not in steps.PREPARING or op.lease_owner != job.owner:
            log.info("operation %s: not ours to prepare any more", job.op_id)
            return
        prepare_leased(ctx, op, Lease(ctx, op.id), after_staging=lambda: _fault(job.config))
    except MemoryError:
        os._exit(EXIT_OUT_OF_MEMORY)
    finally:
        ctx.runner.shutdown(wait=False)
        ctx.engine.dispose()
