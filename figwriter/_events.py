"""Writers that stay with the process that opened their event files.

Their event files are guarded (:mod:`figwriter._event_files`): a failed write is
raised as an ``OSError`` naming the file, never a hang, and ``flush()`` writes
everything logged before it.

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

import os
import threading
import weakref
from typing import Any

from ._event_files import EventFileGuard, disown_all, guard_file_writer, release

__all__ = ["EventsMixin"]

#: bumped in every forked child: a writer made under another value was inherited
_generation = 0
_adopt_lock = threading.Lock()


def _after_fork_in_child() -> None:
    """In a forked child: make the parent's event files inert here (no locks taken)."""
    global _generation, _adopt_lock
    _generation += 1
    _adopt_lock = threading.Lock()
    disown_all()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


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
                release(file_writer)
            self.file_writer = self.all_writers = None
        for guard in guards:
            try:
                guard.raise_error()
            except OSError as err:
                error = error or err
        if error is not None:
            raise error


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
