"""The opt-in background worker: render, encode and write off the caller's thread.

One daemon thread per writer takes jobs from a bounded FIFO queue, in call
order. A full queue blocks the caller (back-pressure: nothing is dropped). A job
that fails does not stop the others; its exception is kept and raised to the
caller, with its original traceback, at the next call, ``flush()`` or
``close()``. Pending jobs are finished by ``flush()``/``close()``, when the
writer is garbage-collected, and at interpreter exit.

The thread holds a reference to a writer only through queued jobs, so an idle
writer can be collected; a writer with pending jobs stays alive until they are
written.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import weakref
from typing import Any, Callable

import numpy as np

__all__ = ["Worker", "BufferPool"]

Job = Callable[[], None]
_STOP = object()


class BufferPool:
    """Arrays reused for the copies background calls take of large inputs.

    Copying into memory that is already mapped costs about one pass over the
    input; a fresh allocation of the same size pays for the kernel's zeroed
    pages on top. Buffers come back once their job has run. Arrays smaller than
    ``min_bytes`` are copied plainly; at most ``max_bytes`` are kept.
    """

    def __init__(self, min_bytes: int = 1 << 20, max_bytes: int = 512 << 20) -> None:
        self.min_bytes = min_bytes
        self.max_bytes = max_bytes
        self._free: dict[tuple[tuple[int, ...], str], list[np.ndarray]] = {}
        self._kept = 0
        self._lock = threading.Lock()

    def copy(self, data: np.ndarray) -> np.ndarray:
        """A C-contiguous copy of ``data``, in a reused buffer where one is free."""
        if data.nbytes < self.min_bytes:
            return np.array(data, order="C", copy=True)
        key = (data.shape, data.dtype.str)
        with self._lock:
            free = self._free.get(key)
            buf = free.pop() if free else None
            if buf is not None:
                self._kept -= buf.nbytes
        if buf is None:
            buf = np.empty(data.shape, dtype=data.dtype)
        np.copyto(buf, data)
        return buf

    def give_back(self, buf: np.ndarray) -> None:
        """Return a buffer from :meth:`copy` once nothing reads it any more."""
        if buf.nbytes < self.min_bytes:
            return
        with self._lock:
            if self._kept + buf.nbytes <= self.max_bytes:
                self._free.setdefault((buf.shape, buf.dtype.str), []).append(buf)
                self._kept += buf.nbytes


class Worker:
    """A bounded queue of jobs and the thread that runs them.

    Parameters
    ----------
    max_pending : int
        How many jobs may wait before ``submit`` blocks.
    """

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self.buffers = BufferPool()
        self._queue: queue.Queue[Any] = queue.Queue(max_pending)
        self._lock = threading.Lock()
        # held from "make sure a thread runs" to "job queued", and by close() while
        # it queues the stop marker: a job is never queued behind a stop marker
        # (it would wait there, unwritten, after close() returned). Never taken by
        # the worker thread, so a caller blocked on a full queue cannot deadlock it.
        self._submit_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._errors: list[BaseException] = []
        self._failed_count = 0
        # finish pending work at interpreter exit, before tensorboardX's own
        # exit hook closes the event file (atexit runs hooks last-in first-out)
        ref = weakref.ref(self)
        self._atexit = lambda: _finish_at_exit(ref)
        atexit.register(self._atexit)
        _WORKERS.add(self)

    def _forked(self) -> None:
        """In a forked child: queued jobs are the parent's (it writes them); start empty.

        Fresh locks too: a lock held by another thread at the fork stays held here.
        """
        self.buffers = BufferPool()
        self._queue = queue.Queue(self.max_pending)
        self._lock = threading.Lock()
        self._submit_lock = threading.Lock()
        self._thread = None
        self._errors = []
        self._failed_count = 0

    # -- caller side ------------------------------------------------------------
    def submit(self, job: Job) -> None:
        """Queue ``job``; blocks while ``max_pending`` jobs wait. Raises earlier failures."""
        self.raise_error()
        with self._submit_lock:
            self._ensure_thread()
            self._queue.put(job)

    def wait(self) -> None:
        """Block until every queued job has run, then raise any failure."""
        if self._thread is not None:
            self._queue.join()
        self.raise_error()

    def close(self) -> None:
        """Run what is queued, stop the thread, then raise any failure."""
        with self._submit_lock:
            with self._lock:
                thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join()
        atexit.unregister(self._atexit)
        self.raise_error()

    def raise_error(self) -> None:
        """Raise the first failure not yet reported (others are summarised in its notes)."""
        with self._lock:
            if not self._errors:
                return
            first = self._errors[0]
            more = self._failed_count - 1
            self._errors.clear()
            self._failed_count = 0
        if more and hasattr(first, "add_note"):
            first.add_note(f"({more} more background job(s) failed after this one)")
        raise first

    # -- worker side ----------------------------------------------------------
    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                # (re-)register so this hook runs before the exit hooks of event
                # files opened since
                atexit.unregister(self._atexit)
                atexit.register(self._atexit)
                self._thread = threading.Thread(
                    target=_run, args=(self._queue, weakref.ref(self)),
                    name="figwriter-render", daemon=True,
                )
                self._thread.start()

    def _failed(self, err: BaseException) -> None:
        with self._lock:
            if not self._errors:
                self._errors.append(err)
            self._failed_count += 1

    def __del__(self) -> None:
        try:
            atexit.unregister(self._atexit)
            thread = self._thread
            if thread is not None and thread.is_alive():
                self._queue.put(_STOP)
            if self._errors:
                _report(self._errors[0], "after its writer was dropped")
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


_WORKERS: weakref.WeakSet[Worker] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for worker in list(_WORKERS):
        worker._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _run(jobs: queue.Queue[Any], owner: weakref.ref[Worker]) -> None:
    while True:
        job = jobs.get()
        try:
            if job is _STOP:
                return
            try:
                job()
            except BaseException as err:  # kept, raised to the caller later
                worker = owner()
                if worker is not None:
                    worker._failed(err)
                # no reference may stay in this frame: the worker must remain
                # collectable (its __del__ stops this thread)
                del worker
            finally:
                del job  # the job may hold the writer: let it go while idle
        finally:
            jobs.task_done()


def _finish_at_exit(ref: weakref.ref[Worker]) -> None:
    worker = ref()
    if worker is None:
        return
    try:
        worker.close()
    except BaseException as err:
        _report(err, "at exit")


def _report(err: BaseException, when: str) -> None:
    """Nobody is left to raise a failure to: say it on stderr."""
    import sys

    print(f"figwriter: a background picture failed {when}: {err!r}", file=sys.stderr)
