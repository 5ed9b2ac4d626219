"""Event files that fail loudly, never hang, and stay with the process that opened them.

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
so it never stops or replaces the thread.

Processes: in a forked child (``os.fork``, ``multiprocessing`` with fork,
``DataLoader`` workers), the inherited event files belong to the parent. A hook
run in every forked child makes them inert there (their descriptors point at
``/dev/null``, their writers count as closed), so nothing the child does, and
nothing run at its exit, writes into, flushes or stops the parent's file or
thread. A writer first used in the child opens its own event file in the same
logdir and is closed when the child exits. A writer sent to a spawned process is
rebuilt there, on its own event file; pickling it any other way is refused.
"""

from __future__ import annotations

import errno
import os
import queue
import threading
import weakref
from typing import Any, Callable

__all__ = ["EventsMixin", "EventFileGuard"]

#: bumped in every forked child: a writer made under another value was inherited
_generation = 0
_adopt_lock = threading.Lock()
#: guards of the event files this process opened (inherited ones are disowned)
_guards: weakref.WeakSet[EventFileGuard] = weakref.WeakSet()
_FLUSH_MARK = "figwriter-flush-marker:"
_POLL = 0.25  # seconds between liveness checks of a logger thread while waiting


def _after_fork_in_child() -> None:
    """In a forked child: make the parent's event files inert here (no locks taken)."""
    global _generation, _adopt_lock
    _generation += 1
    _adopt_lock = threading.Lock()
    for guard in list(_guards):
        guard.disown()
    _guards.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


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
    return guard


def _tbx_alive(efw: Any) -> bool:
    worker = efw._worker
    return worker is not None and worker.is_alive()


def _tbx_put(efw: Any, guard: EventFileGuard, item: Any) -> None:
    """Queue ``item`` for tensorboardX's thread; never blocks on a queue nobody reads."""
    while True:
        q = efw._event_queue
        if q is None or efw._closed:
            return
        try:
            q.put(item, timeout=_POLL)
            return
        except queue.Full:
            if not _tbx_alive(efw):
                raise OSError(errno.EIO, "the event writer thread has stopped; event "
                              "not written", guard.path) from None


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


# -- the writer side ----------------------------------------------------------------------
_names = iter(range(1, 1 << 62))


class EventsMixin:
    """Mixin over a parent ``SummaryWriter``: guarded event files, fork and spawn safety.

    Placed between the figure methods and the parent class, so it sees every
    inherited call that reaches an event file (``_get_file_writer``,
    ``flush``, ``close``).
    """

    _fw_init: tuple[tuple[Any, ...], dict[str, Any]]
    _fw_generation: int
    # the parent writer's (declared for type checking only)
    file_writer: Any
    all_writers: Any
    purge_step: Any
    _filename_suffix: str

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        self = super().__new__(cls)
        self._fw_init = (args, kwargs)  # to rebuild the writer in a spawned process
        self._fw_generation = _generation
        return self

    # -- processes -------------------------------------------------------------
    def _check_process(self) -> None:
        """In a forked child, leave the parent's event files and open our own on demand."""
        if self._fw_generation != _generation:
            self._adopt()

    def _adopt(self) -> None:
        with _adopt_lock:
            if self._fw_generation == _generation:
                return
            # the inherited file writers were made inert at the fork; drop them
            self.file_writer = self.all_writers = None
            self.purge_step = None  # a purge marker here would hide the parent's events
            self._fw_generation = _generation
            close_at_exit(self)

    def __reduce__(self) -> Any:
        from multiprocessing import context

        if context.get_spawning_popen() is None:
            raise TypeError(
                f"{type(self).__name__} cannot be pickled or copied: it owns an open event "
                "file and a writer thread. Pass it to a multiprocessing or DataLoader worker "
                "(each worker then writes its own event file in the same logdir), or make a "
                "writer where it is needed"
            )
        args, kwargs = list(self._fw_init[0]), dict(self._fw_init[1])
        for key in ("logdir", "log_dir", "purge_step"):
            kwargs.pop(key, None)
        logdir = getattr(self, "logdir", None) or self.get_logdir()  # type: ignore[attr-defined]
        args[:1] = [logdir]
        if len(args) > 2:
            args[2] = None  # purge_step: never purge the parent's events from a worker
        return (_rebuild, (type(self), tuple(args), kwargs))

    # -- the parent's event-file methods ----------------------------------------
    def _get_file_writer(self) -> Any:
        self._check_process()
        opening = self.all_writers is None or self.file_writer is None
        if opening and hasattr(self, "_filename_suffix"):
            # tensorboardX names event files by the second (torch's writer adds its
            # pid and a counter): another file opened in the same second, by this
            # writer after close(), another writer or a forked child, would
            # truncate it. Ours carry the pid and a counter too.
            suffix = self._filename_suffix
            self._filename_suffix = f".{os.getpid()}.{next(_names)}{suffix}"
            try:
                file_writer = super()._get_file_writer()  # type: ignore[misc]
            finally:
                self._filename_suffix = suffix
        else:
            file_writer = super()._get_file_writer()  # type: ignore[misc]
        if opening:
            guard_file_writer(file_writer)
        return file_writer

    def _event_guards(self) -> list[EventFileGuard]:
        writers = self.all_writers or {}
        return [g for g in map(guard_file_writer, list(writers.values())) if g is not None]

    def flush(self) -> None:
        """Write every event logged so far to the event file, or raise ``OSError``."""
        self._check_process()
        guards = self._event_guards()
        for guard in guards:
            guard.wait()  # type: ignore[attr-defined]
        super().flush()  # type: ignore[misc]
        for guard in guards:
            guard.check_file()
            guard.raise_error()

    def close(self) -> None:
        """Close as the parent does; after a write failure, release the file and raise it."""
        self._check_process()
        writers = list((self.all_writers or {}).values())
        guards = self._event_guards()
        error: BaseException | None = None
        for guard in guards:
            try:
                guard.wait()  # type: ignore[attr-defined]
                guard.check_file()
            except OSError as err:
                error = error or err
        try:
            super().close()  # type: ignore[misc]
        except BaseException as err:
            error = error or err
            for file_writer in writers:
                _release(file_writer)
            self.file_writer = self.all_writers = None
        for guard in guards:
            try:
                guard.raise_error()
            except OSError as err:
                error = error or err
        if error is not None:
            raise error


def _release(file_writer: Any) -> None:
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


def _rebuild(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A writer sent to a spawned process: the same options, its own event file."""
    obj = cls.__new__(cls, *args, **kwargs)
    obj.__init__(*args, **kwargs)
    close_at_exit(obj)
    return obj


def close_at_exit(writer: Any) -> None:
    """Close ``writer`` when this process exits, also as a ``multiprocessing`` worker
    (which leaves through ``os._exit``, skipping ``atexit``)."""
    import multiprocessing.util

    ref = weakref.ref(writer)
    pid = os.getpid()

    def finish() -> None:
        w = ref()
        if w is None or os.getpid() != pid:
            return
        try:
            w.close()
        except BaseException as err:  # nobody is left to raise it to
            import sys

            print(f"figwriter: closing a writer at process exit failed: {err!r}",
                  file=sys.stderr)

    # before multiprocessing's own queue finalizers (priority 10): tensorboardX's
    # close() still needs its queue
    multiprocessing.util.Finalize(None, finish, exitpriority=100)
