"""The parents' event files: failures recorded, never a hang, flushes that wait.

Both parent writers hand events to a logger thread through a bounded queue. If
that thread dies (tensorboardX's dies on the first failed write, for example on
a full disk), the queue fills and every later call blocks forever. Here each
event file gets an :class:`EventFileGuard` that wraps the thread's write and
flush so a failure is recorded instead of killing the thread; the caller gets it
as an ``OSError`` naming the event file at its next call, ``flush()`` or
``close()``. After a failure nothing more is written to that file (a half-written
record may end it; every event before it stays readable).

``flush()`` waits for tensorboardX's queue with a marker event that the guard
recognises and does not write, checking that the thread is alive while it waits,
so it never stops or replaces the thread. Pictures skip tensorboardX's queue,
which pickles every event through a pipe, while no earlier event waits in it
(:func:`add_summary`), so the file keeps call order.

In a forked child every guard of the parent's files is disowned (see
:mod:`figwriter._events`): nothing is written, flushed or closed there.
"""

from __future__ import annotations

import errno
import functools
import os
import queue
import threading
import time
import weakref
from typing import Any, Callable

__all__ = ["EventFileGuard", "add_summary", "disown_all", "guard_file_writer", "release"]

#: guards of the event files this process opened (inherited ones are disowned)
_guards: weakref.WeakSet[EventFileGuard] = weakref.WeakSet()
_FLUSH_MARK = "figwriter-flush-marker:"
_POLL = 0.25  # seconds between liveness checks of a logger thread while waiting


def disown_all() -> None:
    """In a forked child: make the parent's event files inert here (no locks taken)."""
    for guard in list(_guards):
        guard.disown()
    _guards.clear()


class EventFileGuard:
    """Failure and flush bookkeeping for one event file of either parent writer."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.error: BaseException | None = None
        self.disowned = False
        self._cond = threading.Condition()
        self._marks_seen: set[str] = set()
        self._fd: int | None = None
        self._file: Any = None
        self._inert: Callable[[], None] = lambda: None
        #: events handed to the logger thread's queue and not yet written by it
        self.in_queue = 0

    # -- events queued for the logger thread and not yet written --------------
    def queued(self, change: int) -> None:
        with self._cond:
            self.in_queue += change

    # -- failures --------------------------------------------------------------
    def failed(self, err: BaseException) -> None:
        """Record the first failure; nothing more is written to this file."""
        with self._cond:
            if self.error is None:
                self.error = err
            self._cond.notify_all()

    def raise_error(self) -> None:
        """Raise the recorded failure, as an ``OSError`` naming the event file."""
        err = self.error
        if err is None:
            return
        if isinstance(err, OSError):
            code = err.errno if err.errno is not None else errno.EIO
            reason = err.strerror or str(err)
            raise OSError(
                code, f"{reason}; nothing more is written to this event file (events "
                "before the failure stay readable; close() the writer to start a new "
                "event file)", self.path,
            ) from err
        raise OSError(errno.EIO, f"writing the event file failed ({err!r})", self.path) from err

    def check_file(self) -> None:
        """Record a failure if the open event file was deleted (its logdir removed)."""
        fd = self._fd
        if fd is None or self.error is not None or self._file is None or self._file.closed:
            return
        try:
            gone = os.fstat(fd).st_nlink == 0
        except OSError as err:
            self.failed(err)
            return
        if gone:
            self.failed(FileNotFoundError(errno.ENOENT, "the event file was deleted "
                                          "(its logdir removed?)", self.path))

    # -- processes -------------------------------------------------------------
    def disown(self) -> None:
        """In a forked child: this file is the parent's; never touch it here."""
        self.disowned = True
        self._inert()  # the parent writer's own close(), at exit too, does nothing here
        fd = self._fd
        if fd is not None and self._file is not None and not self._file.closed:
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)  # a flush of the inherited buffer goes nowhere
                os.close(null)
            except OSError:  # pragma: no cover - nothing else to do in a child
                pass

    # -- flush markers ---------------------------------------------------------
    def mark_seen(self, mark: str) -> None:
        with self._cond:
            self._marks_seen.add(mark)
            self._cond.notify_all()

    def wait_mark(self, mark: str, alive: Callable[[], bool]) -> None:
        """Wait until the logger thread took ``mark`` (everything before it is written)."""
        with self._cond:
            while mark not in self._marks_seen:
                if not alive():
                    raise OSError(errno.EIO, "the event writer thread has stopped; events "
                                  "logged before flush() were not written", self.path)
                self._cond.wait(_POLL)
            self._marks_seen.discard(mark)


# -- tensorboardX ---------------------------------------------------------------------
def _guard_tensorboardx(efw: Any) -> EventFileGuard:
    """Wrap a tensorboardX ``EventFileWriter``'s writes, flushes and queue puts."""
    from tensorboardX.proto.event_pb2 import Event

    ev = efw._ev_writer
    guard = EventFileGuard(ev._file_name)
    raw = getattr(ev._py_recordio_writer, "_writer", None)
    if raw is not None and hasattr(raw, "fileno"):
        guard._file, guard._fd = raw, raw.fileno()
    real_write, real_flush = ev.write_event, ev.flush

    def write_event(event: Any) -> None:  # logger thread
        try:
            version = event.file_version
            if version and version.startswith(_FLUSH_MARK):
                guard.mark_seen(version)
                return
            if guard.error is not None or guard.disowned:
                return
            try:
                real_write(event)
            except BaseException as err:  # recorded: the thread must live on
                guard.failed(err)
        finally:
            guard.queued(-1)

    def flush() -> bool:  # logger thread every flush_secs; callers through efw.flush()
        if guard.disowned:
            return True
        if guard.error is None:
            try:
                real_flush()
            except BaseException as err:
                guard.failed(err)
        if threading.current_thread() is not efw._worker:
            guard.check_file()
            guard.raise_error()
        return True

    def add_event(event: Any) -> None:  # callers
        if guard.disowned:
            raise _disowned_error(guard.path)
        guard.raise_error()
        _tbx_put(efw, guard, event)

    def wait() -> None:
        """Everything queued before this call is written (or a failure is recorded)."""
        if guard.disowned or efw._closed or not _tbx_alive(efw):
            return
        mark = f"{_FLUSH_MARK}{id(guard)}:{threading.get_ident()}:{os.urandom(4).hex()}"
        _tbx_put(efw, guard, Event(file_version=mark))
        guard.wait_mark(mark, lambda: _tbx_alive(efw))

    def inert() -> None:
        efw._closed = True

    ev.write_event, ev.flush, efw.add_event = write_event, flush, add_event
    guard._inert = inert
    guard.wait = wait  # type: ignore[attr-defined]
    guard.write_now = functools.partial(_tbx_write_now, efw, guard)  # type: ignore[attr-defined]
    return guard


def _tbx_write_now(efw: Any, guard: EventFileGuard, summary: Any, step: int | None,
                   walltime: float) -> None:
    """Write one event (any thread), at once when no queued event is waiting.

    tensorboardX's queue is a process queue: it pickles every event, hands it to
    a feeder thread and a pipe and unpickles it again (several passes over a
    picture's bytes, and the GIL taken by two more threads). With nothing queued
    and unwritten, the event is written here under the writer's own lock, which
    keeps file order; otherwise it is queued behind the others (TensorBoard drops
    a tag's later steps when an earlier step of that tag comes after them).
    """
    from tensorboardX.proto.event_pb2 import Event

    if guard.disowned:
        raise _disowned_error(guard.path)
    guard.raise_error()
    if efw._closed:  # as the parent's add_event: a closed file takes nothing
        return
    event = Event(summary=summary, wall_time=walltime)
    if step is not None:
        event.step = int(step)
    data = event.SerializeToString()
    ev = efw._ev_writer
    with ev._lock:  # what ev._write_serialized_event does, with the check inside the lock
        now = guard.in_queue == 0 and guard.error is None  # (a failure since the check above)
        if now:
            try:
                ev._num_outstanding_events += 1
                ev._py_recordio_writer.write(data)
            except BaseException as err:
                guard.failed(err)
    if not now:
        _tbx_put(efw, guard, event)
    guard.raise_error()


def _tbx_alive(efw: Any) -> bool:
    worker = efw._worker
    return worker is not None and worker.is_alive()


def _tbx_put(efw: Any, guard: EventFileGuard, item: Any) -> None:
    """Queue ``item`` for tensorboardX's thread; never blocks on a queue nobody reads."""
    guard.queued(+1)  # before the put: the thread may take the item at once
    while True:
        q = efw._event_queue
        if q is None or efw._closed:
            guard.queued(-1)
            return
        try:
            q.put(item, timeout=_POLL)
            return
        except queue.Full:
            if not _tbx_alive(efw):
                guard.queued(-1)
                raise OSError(errno.EIO, "the event writer thread has stopped; event "
                              "not written", guard.path) from None
        except BaseException:
            guard.queued(-1)
            raise


# -- torch.utils.tensorboard (tensorboard's writer) -------------------------------------
def _guard_tensorboard(efw: Any) -> EventFileGuard:
    """Wrap a tensorboard ``EventFileWriter``'s record writer and its async writes."""
    aw = efw._async_writer
    guard = EventFileGuard(str(efw._file_name))
    rec = aw._writer
    real_write, real_flush, real_put = rec.write, rec.flush, aw.write

    def write(data: bytes) -> None:  # logger thread
        if guard.error is not None or guard.disowned:
            return
        try:
            real_write(data)
        except BaseException as err:
            guard.failed(err)

    def flush() -> None:  # logger thread, and callers through aw.flush()/close()
        if guard.disowned:
            return
        if guard.error is None:
            try:
                real_flush()
            except BaseException as err:
                guard.failed(err)
        if threading.current_thread() is not aw._worker:
            guard.raise_error()

    def add(data: bytes) -> None:  # callers
        if guard.disowned:
            raise _disowned_error(guard.path)
        guard.raise_error()
        real_put(data)

    def inert() -> None:
        aw._closed = True

    rec.write, rec.flush, aw.write = write, flush, add
    guard._inert = inert
    guard.wait = lambda: None  # type: ignore[attr-defined]  # its flush() joins its queue
    return guard


def add_summary(file_writer: Any, summary: Any, global_step: int | None,
                walltime: float | None) -> None:
    """``file_writer.add_summary(summary, global_step, walltime)``, as the parent writes it.

    For tensorboardX's event files the event is written at once by the calling
    thread (``write_now`` above) rather than queued; step and walltime get the
    parent's defaults (``use_metadata``, then the time now) either way.
    """
    guard = guard_file_writer(file_writer)
    write_now = getattr(guard, "write_now", None)
    if write_now is None:
        file_writer.add_summary(summary, global_step, walltime)
        return
    defaults = getattr(file_writer, "_default_metadata", None) or {}
    if walltime is None:
        walltime = defaults.get("walltime", time.time())
    write_now(summary, defaults.get("global_step") if global_step is None else global_step,
              walltime)


def _disowned_error(path: str) -> OSError:
    return OSError(errno.EBADF, "this event file belongs to the process that opened it, not "
                   "to this forked child (use the figwriter writer itself, which opens its "
                   "own event file here)", path)


def guard_file_writer(file_writer: Any) -> EventFileGuard | None:
    """The guard of a parent ``FileWriter`` (installed on first sight); None if it has
    no event file (``write_to_disk=False``) or an unknown layout."""
    efw = getattr(file_writer, "event_writer", None)
    if efw is None:
        return None
    guard: EventFileGuard | None = getattr(efw, "_figwriter_guard", None)
    if guard is not None:
        return guard
    if hasattr(efw, "_ev_writer") and hasattr(efw, "_event_queue"):
        guard = _guard_tensorboardx(efw)
    elif hasattr(efw, "_async_writer"):
        guard = _guard_tensorboard(efw)
    else:  # pragma: no cover - a parent writer of another layout
        return None
    efw._figwriter_guard = guard
    _guards.add(guard)
    return guard


def release(file_writer: Any) -> None:
    """Stop a parent file writer whose close() failed part-way; errors are known already."""
    efw = getattr(file_writer, "event_writer", None)
    if efw is None:
        return
    try:
        if hasattr(efw, "_async_writer"):
            efw._async_writer._writer.close()
            return
        if not efw._closed:
            efw._closed = True
            worker, efw._worker = efw._worker, None
            if worker is not None and worker.is_alive():
                efw._event_queue.put(worker._shutdown_signal, timeout=5)
                worker.join(timeout=5)
            efw._ev_writer._py_recordio_writer.close()
    except BaseException:  # the file is gone or full: its failure was already raised
        pass
