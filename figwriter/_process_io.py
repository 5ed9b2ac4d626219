"""What crosses the process boundary in process mode: options (pickled, checked at
call time), arrays (in reused shared-memory blocks) and failures (the worker's
exception with its traceback as the cause)."""

from __future__ import annotations

import os
import pickle
import secrets
import threading
import traceback
import weakref
from dataclasses import fields, is_dataclass
from multiprocessing import shared_memory
from typing import Any

import numpy as np

__all__ = ["INLINE_BYTES", "KEEP_BYTES", "PIPE_BYTES", "RemoteTraceback", "SharedBlocks",
           "check_picklable", "pack_error", "python_executable", "unpack_error", "widen_pipe"]

#: arrays smaller than this travel inside the message; larger ones in shared memory
INLINE_BYTES = 1 << 16
#: shared memory kept for reuse between calls, at most
KEEP_BYTES = 1 << 30


class RemoteTraceback(Exception):
    """The traceback of a failure in a worker process (the cause of the re-raised error)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


# -- call-time checks ------------------------------------------------------------------
def check_picklable(params: dict[str, Any]) -> bytes:
    """Pickle a job's options, or raise a ``TypeError`` naming the one that cannot be."""
    try:
        return pickle.dumps(params, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:
        name, why = _unpicklable(params, err)
    raise TypeError(
        f"{name} cannot be sent to a render worker process ({why}); use "
        "async_render='thread' (or True) for options that cannot be pickled, such as "
        "norms or colormaps built from lambdas or local functions"
    ) from None


def _unpicklable(params: dict[str, Any], err: Exception) -> tuple[str, str]:
    """The innermost named option that fails to pickle, and why.

    Looks into dataclasses (a job's options, its colour options) for the field
    that fails, so the message names what the caller passed (``norm``).
    """
    for name, value in params.items():
        try:
            pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as inner:
            if is_dataclass(value) and not isinstance(value, type):
                found = _unpicklable({f.name: getattr(value, f.name) for f in fields(value)},
                                     inner)
                if found[0] != "an option":
                    return found
            return name, f"{type(inner).__name__}: {inner}"
    return "an option", f"{type(err).__name__}: {err}"


# -- shared memory ---------------------------------------------------------------------
class SharedBlocks:
    """Shared-memory blocks for the arrays of calls in flight, reused between calls.

    A block comes back once its job has run; at most :data:`KEEP_BYTES` are
    kept. Names start with ``fw<pid>_`` so that a leak is easy to find.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._free: list[shared_memory.SharedMemory] = []
        self._made: dict[str, shared_memory.SharedMemory] = {}
        self.prefix = f"fw{os.getpid()}_"

    def copy_in(self, data: np.ndarray
                ) -> tuple[shared_memory.SharedMemory | None, tuple[Any, ...]]:
        """Copy ``data`` into a block; returns the block and its descriptor for the worker.

        Where shared memory is short (a container's small ``/dev/shm``), the
        array travels inside the message instead (no block; slower, but it works).
        """
        try:
            block = self._take(data.nbytes)
        except OSError:
            return None, ("inline", data)
        view: np.ndarray = np.ndarray(data.shape, dtype=data.dtype, buffer=block.buf)
        np.copyto(view, data)
        del view  # an exported buffer would keep the block from closing
        return block, ("shm", block.name, data.shape, data.dtype.str)

    def _take(self, nbytes: int) -> shared_memory.SharedMemory:
        with self._lock:
            fits = [b for b in self._free if nbytes <= b.size <= 2 * nbytes + 4096]
            if fits:
                block = min(fits, key=lambda b: b.size)
                self._free.remove(block)
                return block
        name = self.prefix + secrets.token_hex(6)
        block = shared_memory.SharedMemory(name=name, create=True, size=max(1, nbytes))
        fd = getattr(block, "_fd", -1)
        if fd >= 0 and hasattr(os, "posix_fallocate"):
            # reserve the pages now: writing past a full /dev/shm would otherwise
            # kill the process with SIGBUS instead of raising
            try:
                os.posix_fallocate(fd, 0, max(1, nbytes))
            except OSError:
                block.close()
                block.unlink()
                raise
        with self._lock:
            self._made[block.name] = block
        return block

    def give_back(self, block: shared_memory.SharedMemory) -> None:
        with self._lock:
            if block.name not in self._made:
                return
            self._free.append(block)
            while sum(b.size for b in self._free) > KEEP_BYTES:
                self._unlink(self._free.pop(0))

    def _unlink(self, block: shared_memory.SharedMemory) -> None:
        self._made.pop(block.name, None)
        try:
            block.close()
            block.unlink()
        except (OSError, BufferError):  # pragma: no cover - already gone
            pass

    def close(self) -> None:
        """Unlink every block made (the workers have stopped)."""
        with self._lock:
            for block in list(self._made.values()):
                self._unlink(block)
            self._free.clear()


# -- failures --------------------------------------------------------------------------
def unpack_error(packed: tuple[bytes | None, str, str], what: str) -> BaseException:
    """The worker's exception (or a RuntimeError with its text), its traceback as cause."""
    blob, text, summary = packed
    err: Any = None
    if blob is not None:
        try:
            err = pickle.loads(blob)
        except Exception:
            err = None
    if not isinstance(err, BaseException):
        err = RuntimeError(summary)
    err.__cause__ = RemoteTraceback(f'\n"""\n{text}"""')
    if hasattr(err, "add_note"):
        err.add_note(f"(raised in a figwriter render worker process while drawing {what})")
    return err


def pack_error(err: BaseException) -> tuple[bytes | None, str, str]:
    """A worker's failure for the trip back: pickled if it can be, its traceback as text."""
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    try:
        blob: bytes | None = pickle.dumps(err, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        blob = None
    return blob, text, f"{type(err).__name__}: {err}"


def how_it_ended(code: int) -> str:
    """How a worker process ended, from its exit status."""
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with status {code}"


# -- fork ------------------------------------------------------------------------------
_AFTER_FORK: weakref.WeakSet[Any] = weakref.WeakSet()


def start_empty_after_fork(pool: Any) -> None:
    """Call ``pool._start_empty()`` in every forked child: its state is the parent's there."""
    _AFTER_FORK.add(pool)


def _after_fork_in_child() -> None:
    for pool in list(_AFTER_FORK):
        pool._start_empty()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


#: pipe capacity asked for (Linux; the default is 64 KiB): a picture's PNG goes
#: through in one read, and a burst of requests never blocks the caller's write
PIPE_BYTES = 1 << 20


def widen_pipe(fd: int) -> None:
    """Ask for a pipe of ``PIPE_BYTES`` where the system allows it.

    Each read or write of a pipe lets go of the GIL and takes it back; with the
    default 64 KiB a 300 KB picture takes five reads, and each one makes the
    caller's thread give up the GIL once more.
    """
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over the system's limit
        pass


def python_executable() -> str:
    """The interpreter worker processes run: ``multiprocessing``'s choice."""
    from multiprocessing import spawn

    return os.fsdecode(spawn.get_executable())
