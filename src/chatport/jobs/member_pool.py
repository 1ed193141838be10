"""Work on archive members in child processes, results handed back in member order.

An import spends most of its time in Python work that is independent per archive member
(parse a day file, map and convert its messages), while the database writes must stay in
one process, in order, each batch with its checkpoint. This pool runs the per-member work in
``workers`` child processes (member ``k`` of the list goes to worker ``k % workers``, or, given
``weights``, to the worker with the least weight so far) and yields each member's chunks in list
order, so the caller sees exactly what a loop in one process
would have produced, only sooner: on a 2-core machine the parse of the next day file overlaps
the writes of the current one.

Children are started from this process's forkserver (:mod:`chatport.jobs.processes`: the
parent has threads, so a plain ``fork`` would copy their locks) and are daemons. Each has a
one-way pipe to the parent; a pipe's small buffer is the backpressure, so a child runs at most
a chunk or two ahead and memory stays flat. When the parent dies, the child's next write
fails and it exits; when the caller stops early (a cancellation, an error),
:meth:`MemberPool.close` terminates the children.

A child's exception is re-raised in the parent when the consumer reaches that member, so
everything before it is consumed (and committed) as it would have been in one process.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import pickle
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from chatport.jobs import processes

#: ``init(spec) -> state`` once per child; ``task(state, member, start) -> chunks`` per member.
InitFn = Callable[[Any], Any]
TaskFn = Callable[[Any, int, int], Iterator[Any]]

#: Bytes a child may get ahead of the consumer (kernel pipe buffer, not process memory).
PIPE_BYTES = 4 << 20

_CHUNK = "chunk"
_END = "end"
_ERROR = "error"


class WorkerFailed(RuntimeError):
    """A child ended without finishing its members (killed, out of memory, a crash)."""


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _child(
    init: InitFn,
    task: TaskFn,
    spec: Any,
    members: list[tuple[int, int]],
    out: Connection,
) -> None:
    try:
        state = init(spec)
    except BaseException as exc:  # reported at this child's first member
        first = members[0][0] if members else -1
        out.send((_ERROR, first, _portable(exc)))
        out.close()
        return
    _collect_per_member()
    for member, start in members:
        try:
            for chunk in task(state, member, start):
                out.send((_CHUNK, member, chunk))
            gc.collect()
        except (BrokenPipeError, EOFError):
            return  # the parent is gone
        except BaseException as exc:
            try:
                out.send((_ERROR, member, _portable(exc)))
            finally:
                out.close()
            return
        try:
            out.send((_END, member, None))
        except (BrokenPipeError, EOFError):
            return
    out.close()


def _assign(members: int, workers: int, weights: Sequence[int] | None) -> list[int]:
    """The worker of each member, in member order.

    Each worker's members stay in list order, so the in-order consumer always waits on the
    next member its worker will send: any assignment is deadlock-free. With weights, each
    member goes to the worker with the least weight so far, so the workers finish together
    even when day files differ a lot in size (alternation left one child a second or more of
    work alone at the end of a million-message export).
    """
    if weights is None:
        return [position % workers for position in range(members)]
    if len(weights) != members:
        raise ValueError("one weight per member")
    load = [0] * workers
    owner: list[int] = []
    for weight in weights:
        worker = load.index(min(load))
        owner.append(worker)
        load[worker] += max(1, weight)
    return owner


def _widen(pipe: Connection) -> None:
    """Let a child run several chunks ahead of the consumer.

    Members are consumed in order, alternating between children; with the default 64 KiB
    pipe a child blocks on its first chunk of the next member (a chunk is a few hundred KiB)
    until the consumer gets there, so it sat idle while the other child's member was written
    and the two cores were not both used. A few MiB of pipe buffer keep both children busy;
    where the kernel refuses that size (``fs.pipe-max-size``), 1 MiB, else the default.
    """
    for size in (PIPE_BYTES, 1 << 20):
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, size)
            return


def _collect_per_member() -> None:
    """Collect garbage between members only.

    Parsing a day file allocates hundreds of thousands of containers that all stay alive
    until the member is done, so the collector's periodic passes (even with raised
    thresholds) walk them again and again and find nothing: the records are acyclic and freed
    by reference counting. Freezing what ``init`` built (lookups, modules) and collecting once
    per member keeps any rare cycle bounded by one member, for about 5 % less CPU per
    message.
    """
    gc.collect()
    gc.freeze()
    gc.disable()


class MemberPool:
    """``for member, chunk in MemberPool(...)``: every member's chunks, members in order.

    ``members`` are ``(member position, start index)`` pairs, in the order to yield them.
    ``weights`` (one per member, e.g. its compressed size) balance the work between the
    workers; without them members alternate.
    """

    def __init__(
        self,
        init: InitFn,
        task: TaskFn,
        spec: Any,
        members: list[tuple[int, int]],
        workers: int,
        weights: Sequence[int] | None = None,
    ) -> None:
        self._members = members
        count = max(1, min(workers, len(members)))
        self._owner = _assign(len(members), count, weights)
        context = processes.context()
        self._pipes: list[Connection] = []
        self._processes: list[Any] = []
        for worker in range(count):
            receive, send = context.Pipe(duplex=False)
            _widen(receive)
            mine = [m for m, owner in zip(members, self._owner, strict=True) if owner == worker]
            process = processes.process(
                _child,
                (init, task, spec, mine, send),
                name=f"chatport-member-worker-{worker}",
                daemon=True,
            )
            process.start()
            send.close()  # the child holds the only writing end: EOF when it exits
            self._pipes.append(receive)
            self._processes.append(process)

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        for position, (member, _start) in enumerate(self._members):
            pipe = self._pipes[self._owner[position]]
            while True:
                try:
                    kind, got, payload = pipe.recv()
                except EOFError:
                    process = self._processes[self._owner[position]]
                    process.join(timeout=5)
                    raise WorkerFailed(
                        f"the worker reading archive member {member} stopped "
                        f"(exit code {process.exitcode})"
                    ) from None
                if kind == _ERROR:
                    raise payload
                if got != member:  # pragma: no cover - the protocol keeps members in order
                    raise WorkerFailed(f"expected member {member}, got {got}")
                if kind == _END:
                    break
                yield member, payload

    def close(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=10)
        for pipe in self._pipes:
            pipe.close()

    def __enter__(self) -> MemberPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
