"""Process mode: render and encode in worker processes, emit in call order.

Each writer made with ``async_render="process"`` owns up to ``render_workers``
worker processes, started on first use and reused. They are fresh interpreters
(spawned, never forked: safe in programs that run threads or CUDA) that import
figwriter and nothing of the caller's script, so a script needs no
``if __name__ == "__main__"`` guard.

A call takes three steps on the caller's thread: its options are pickled (an
option that cannot be, such as a norm built from a lambda, is refused with a
``TypeError`` there and then), its arrays are copied into shared-memory blocks
that are reused from call to call (small arrays travel inside the message), and
a short message goes to a worker (with the caller's matplotlib settings when
they changed: :mod:`figwriter._process_settings`). The worker maps the blocks,
calls the job function the synchronous path calls, and sends the PNG back with
any warnings the job raised. A thread of the
caller's process (the *collector*) receives the results and hands them to the
writer in call order, whatever worker finished first.

Guarantees, as in thread mode: at most ``max_pending`` pictures are in flight
(a call blocks while that many are); a job that fails is raised at the next
call, ``flush()`` or ``close()`` with the worker's traceback as its cause; a
worker that dies (a crash, a SIGKILL) is reported the same way, naming the
pictures it took with it, and a new one is started on the next call. ``close()``
stops the workers and unlinks every shared-memory block.

The pictures of one tag are always drawn by the same worker: a tag's canvas
size depends on its earlier pictures, so this keeps every picture identical to
the synchronous mode's whatever the number of workers.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

import numpy as np

from ._process_io import (
    INLINE_BYTES,
    SharedBlocks,
    check_picklable,
    how_it_ended,
    python_executable,
    start_empty_after_fork,
    unpack_error,
    widen_pipe,
)
from ._process_settings import Settings, raise_again

__all__ = ["ProcessWorker", "WorkerProcessError", "check_picklable"]

#: how long close() waits for a worker to exit before killing it
EXIT_TIMEOUT = 10.0

JobFunction = Callable[..., Any]
Emit = Callable[[Any], None]


class WorkerProcessError(RuntimeError):
    """A render worker process died; the message names the pictures it took with it."""


# -- the worker processes, seen from the caller -----------------------------------------
@dataclass
class _Proc:
    popen: subprocess.Popen[bytes]
    requests: Connection
    results: Connection
    inflight: list[int] = field(default_factory=list)
    dead: bool = False
    rc_version: int = -1


@dataclass
class _Job:
    emit: Emit
    what: str
    blocks: list[shared_memory.SharedMemory]
    done: bool = False
    result: Any = None
    error: BaseException | None = None
    warnings: list[Any] = field(default_factory=list)


def _start_process() -> _Proc:
    """A fresh interpreter running :func:`figwriter._process_worker.main` over two pipes.

    Started with ``subprocess`` rather than ``multiprocessing``'s spawn so that
    the child does not re-run the caller's main script (spawn does, to find
    functions defined there): logging from an unguarded script stays safe.
    """
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    widen_pipe(req_w)
    widen_pipe(res_w)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    code = f"from figwriter._process_worker import main; main({req_r}, {res_w})"
    try:
        popen = subprocess.Popen(
            [python_executable(), "-c", code], pass_fds=(req_r, res_w), env=env,
            stdin=subprocess.DEVNULL,
        )
    except BaseException:
        os.close(req_w)
        os.close(res_r)
        raise
    finally:  # the child's ends
        os.close(req_r)
        os.close(res_w)
    return _Proc(popen, Connection(req_w, readable=False), Connection(res_r, writable=False))


# -- the pool: everything process mode keeps -------------------------------------------
class _Pool:
    """The processes, the jobs in flight and the collector thread of one writer.

    Never refers to its :class:`ProcessWorker`, so a dropped writer is collected
    (pending jobs hold the writer through their ``emit`` until they are written).
    """

    def __init__(self, max_pending: int, workers: int) -> None:
        self.n = workers
        self.max_pending = max_pending
        self._start_empty()
        start_empty_after_fork(self)

    def _start_empty(self) -> None:
        """No workers, no jobs, new locks: a new pool, or one in a forked child.

        In a forked child the workers, jobs and blocks are the parent's, so
        nothing is sent, closed or unlinked here (the parent still uses all of
        it); the locks are new, since one held by another thread at the fork
        stays held. The child starts workers of its own on its first picture.
        """
        self.cond = threading.Condition()
        self.slots = threading.Semaphore(self.max_pending)
        # held from "which worker" to "message sent": per worker, the order of the
        # messages is the order of the sequence numbers
        self.submit_lock = threading.Lock()
        self.procs: list[_Proc | None] = [None] * self.n
        self.routes: dict[Hashable, int] = {}
        self.jobs: dict[int, _Job] = {}
        self.next_seq = 0
        self.next_emit = 0
        self.errors: list[BaseException] = []
        self.failed = 0
        self.blocks = SharedBlocks()
        self.collector: threading.Thread | None = None
        self.stopping = False
        self.wake_r: Connection | None = None
        self.wake_w: Connection | None = None
        self.settings = Settings()
        self.rc: Any = None
        self.rc_version = 0
        self.pid = os.getpid()

    # -- caller side --------------------------------------------------------------------
    def submit(self, fn: JobFunction, arrays: Sequence[np.ndarray], params: dict[str, Any],
               emit: Emit, what: str, route: Hashable, sizes: bool = False) -> None:
        self.raise_error()
        payload = check_picklable(params)
        fn_bytes = pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
        self._refresh_rc()
        self.slots.acquire()  # back-pressure: at most max_pending in flight
        blocks: list[shared_memory.SharedMemory] = []
        registered = False
        try:
            descs: list[tuple[Any, ...]] = []
            for a in arrays:
                if a.nbytes < INLINE_BYTES:
                    descs.append(("inline", a))  # pickled (copied) by send, on this thread
                else:
                    block, desc = self.blocks.copy_in(a)
                    if block is not None:
                        blocks.append(block)
                    descs.append(desc)
            with self.submit_lock:
                with self.cond:
                    proc = self._proc_for(route)
                    seq = self.next_seq
                    self.next_seq += 1
                    self.jobs[seq] = _Job(emit, what, blocks)
                    proc.inflight.append(seq)
                    registered = True
                    rc = None if proc.rc_version == self.rc_version else self.rc
                    proc.rc_version = self.rc_version
                try:
                    proc.requests.send((seq, fn_bytes, payload, descs, rc, sizes))
                except OSError:
                    pass  # the worker died: the collector reports this job as lost
        except BaseException:
            if not registered:  # (a registered job is finished by the collector)
                for b in blocks:
                    self.blocks.give_back(b)
                self.slots.release()
            raise

    def _refresh_rc(self) -> None:
        """Snapshot matplotlib's settings (rcParams, added fonts) if they changed.

        Workers draw with the caller's settings, as the synchronous mode would;
        each worker is sent a snapshot once per change.
        """
        current = self.settings.changed()
        if current is not None:
            with self.cond:
                self.rc = current
                self.rc_version += 1

    def _proc_for(self, route: Hashable) -> _Proc:
        """The worker of ``route`` (a tag), started if needed. Holds ``cond``."""
        idx = self.routes.get(route)
        if idx is None:
            idx = self.routes[route] = len(self.routes) % self.n
        proc = self.procs[idx]
        if proc is None or proc.dead:
            proc = self.procs[idx] = _start_process()
            self._ensure_collector()
        return proc

    def _ensure_collector(self) -> None:
        if self.wake_r is None:
            from multiprocessing import Pipe

            self.wake_r, self.wake_w = Pipe(duplex=False)
        if self.collector is None or not self.collector.is_alive():
            self.stopping = False
            # (re-)registered so this hook runs before the exit hooks of event
            # files opened since (atexit runs hooks last-in first-out)
            atexit.unregister(self.at_exit)
            atexit.register(self.at_exit)
            self.collector = threading.Thread(target=self._collect, name="figwriter-results",
                                              daemon=True)
            self.collector.start()
        else:
            self._wake()

    def _wake(self) -> None:
        if self.wake_w is not None:
            try:
                self.wake_w.send_bytes(b"")
            except OSError:  # pragma: no cover - closing
                pass

    def wait(self) -> None:
        """Block until every picture submitted so far is written (or failed)."""
        with self.cond:
            target = self.next_seq
            self.cond.wait_for(lambda: self.next_emit >= target)
        self.raise_error()

    def raise_error(self) -> None:
        with self.cond:
            if not self.errors:
                return
            first, more = self.errors[0], self.failed - 1
            self.errors.clear()
            self.failed = 0
        if more and hasattr(first, "add_note"):
            first.add_note(f"({more} more background job(s) failed after this one)")
        raise first

    def _failed(self, err: BaseException) -> None:
        with self.cond:
            if not self.errors:
                self.errors.append(err)
            self.failed += 1

    # -- the collector thread -------------------------------------------------------------
    def _collect(self) -> None:
        while True:
            with self.cond:
                procs = [p for p in self.procs if p is not None and not p.dead]
                if self.stopping and not procs:
                    return
                wake = self.wake_r
            assert wake is not None  # made before the collector starts
            try:
                ready = wait([wake, *(p.results for p in procs)])
                for conn in ready:
                    if conn is wake:
                        wake.recv_bytes()
                        continue
                    proc = next(p for p in procs if p.results is conn)
                    try:
                        message = proc.results.recv()
                    except (EOFError, OSError):
                        self._lost(proc)
                    else:
                        self._finished(proc, message)
                self._emit_ready()
            except BaseException as err:  # never let the collector die silently
                self._failed(err)

    def _finished(self, proc: _Proc, message: tuple[int, bool, bytes, list[Any]]) -> None:
        seq, ok, blob, caught = message
        try:
            value = pickle.loads(blob)
        except Exception as err:  # e.g. an exception class only the worker can import
            ok, value = False, (None, "", f"{type(err).__name__}: {err} (while reading the "
                                          "worker's result)")
        with self.cond:
            proc.inflight.remove(seq)
            job = self.jobs[seq]
            for block in job.blocks:
                self.blocks.give_back(block)
            job.blocks = []
            job.done = True
            job.warnings = caught
            if ok:
                job.result = value
            else:
                job.error = unpack_error(value, job.what)

    def _lost(self, proc: _Proc) -> None:
        """A worker's pipe closed: it exited or died. Report what it took with it."""
        try:
            code = proc.popen.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:  # pragma: no cover - pipe closed, still running
            proc.popen.kill()
            code = proc.popen.wait()
        with self.cond:
            proc.dead = True
            lost, proc.inflight = proc.inflight, []
            if not lost:
                return
            whats = [self.jobs[seq].what for seq in lost]
            err = WorkerProcessError(
                f"the figwriter render worker process (pid {proc.popen.pid}) "
                f"{how_it_ended(code)}; {len(lost)} picture(s) were lost: {', '.join(whats)}"
            )
            for i, seq in enumerate(lost):
                job = self.jobs[seq]
                for block in job.blocks:
                    self.blocks.give_back(block)
                job.blocks = []
                job.done = True
                job.error = err if i == 0 else _LOST_WITH_THE_FIRST

    def _emit_ready(self) -> None:
        """Hand finished pictures to the writer in call order."""
        while True:
            with self.cond:
                job = self.jobs.get(self.next_emit)
                if job is None or not job.done:
                    return
                del self.jobs[self.next_emit]
            try:
                raise_again(job.warnings)  # a filter may make one an error, as in thread mode
                if job.error is None:
                    job.emit(job.result)
                elif job.error is not _LOST_WITH_THE_FIRST:
                    self._failed(job.error)
            except BaseException as err:
                self._failed(err)
            finally:
                job = None  # the job holds the writer: let it go while idle
                with self.cond:
                    self.next_emit += 1
                    self.cond.notify_all()
                self.slots.release()

    # -- stopping -------------------------------------------------------------------------
    def close(self) -> None:
        """Write what is pending, stop the workers, unlink the blocks, raise any failure."""
        with self.submit_lock:
            if threading.current_thread() is not self.collector:
                with self.cond:
                    target = self.next_seq
                    self.cond.wait_for(lambda: self.next_emit >= target)
            self._stop()
        self.raise_error()

    def _stop(self) -> None:
        with self.cond:
            procs, self.procs = self.procs, [None] * self.n
            self.routes.clear()
            self.stopping = True
        for proc in procs:
            if proc is not None and not proc.dead:
                try:
                    proc.requests.send(None)
                except OSError:
                    pass
        for proc in procs:
            if proc is None:
                continue
            try:
                proc.popen.wait(timeout=EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
                proc.popen.kill()
                proc.popen.wait()
        self._wake()
        collector = self.collector
        if collector is not None and collector is not threading.current_thread():
            collector.join()
            self.collector = None
            for conn in (self.wake_r, self.wake_w):
                if conn is not None:
                    conn.close()
            self.wake_r = self.wake_w = None
        for proc in procs:
            if proc is not None:
                proc.requests.close()
                proc.results.close()
        self.blocks.close()
        atexit.unregister(self.at_exit)

    def at_exit(self) -> None:
        """Finish pending pictures at interpreter exit (not in a forked child)."""
        if os.getpid() != self.pid:
            return
        try:
            self.close()
        except BaseException as err:
            _report(err, "at exit")

    def shutdown(self) -> None:
        """The writer was collected: stop the workers (nothing is pending by then)."""
        if os.getpid() != self.pid:
            return
        try:
            self._stop()
            if self.errors:
                _report(self.errors[0], "after its writer was dropped")
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


_LOST_WITH_THE_FIRST = WorkerProcessError("(named in the first lost picture's error)")


def _report(err: BaseException, when: str) -> None:
    """Nobody is left to raise a failure to: say it on stderr."""
    print(f"figwriter: a background picture failed {when}: {err!r}", file=sys.stderr)


# -- the handle the writer holds -----------------------------------------------------------
class ProcessWorker:
    """Render jobs in worker processes; emit their results in call order.

    Parameters
    ----------
    max_pending : int
        How many pictures may be in flight before ``submit`` blocks.
    workers : int
        How many worker processes (started on first use).
    """

    def __init__(self, max_pending: int, workers: int = 1) -> None:
        self.max_pending = max_pending
        self.workers = workers
        self._pool = _Pool(max_pending, workers)
        self._finalizer = weakref.finalize(self, self._pool.shutdown)
        self._finalizer.atexit = False  # the pool's own exit hook finishes the work

    def submit(self, fn: JobFunction, arrays: Sequence[np.ndarray], params: dict[str, Any],
               emit: Emit, *, what: str, route: Hashable, sizes: bool = False) -> None:
        """Send ``fn(arrays, **params)`` to a worker; ``emit(result)`` runs later, in order.

        With ``sizes``, the worker adds ``sizes=``: its own canvas sizes (the
        pictures of one ``route`` always go to the same worker). Blocks while
        ``max_pending`` pictures are in flight. Raises an earlier failure, or a
        ``TypeError`` naming an option that cannot be pickled.
        """
        self._pool.submit(fn, arrays, params, emit, what, route, sizes)

    def wait(self) -> None:
        """Block until every submitted picture is written, then raise any failure."""
        self._pool.wait()

    def close(self) -> None:
        """Write what is pending, stop the processes, then raise any failure."""
        self._pool.close()

    def raise_error(self) -> None:
        """Raise the first failure not yet reported."""
        self._pool.raise_error()

    @property
    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        with self._pool.cond:
            return [p.popen.pid for p in self._pool.procs if p is not None and not p.dead]

    @property
    def alive(self) -> bool:
        return bool(self.pids)
