"""The loop of a process-mode worker process (see :mod:`figwriter._process`).

Started as ``python -c "from figwriter._process_worker import main; main(r, w)"``
with two pipe descriptors. Imports only what running a job needs.
"""

from __future__ import annotations

import os
import pickle
import warnings
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from ._process_io import pack_error
from ._process_settings import apply_settings, caught_warnings

__all__ = ["main"]


def main(requests_fd: int, results_fd: int) -> None:
    """The loop of a worker process: receive a job, run it, send its result back."""
    import signal

    import matplotlib

    # Ctrl-C reaches the whole process group: the caller decides, the worker goes on
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Linux: a job's message wakes this process; as a batch process it does not
    # preempt the caller's thread on the caller's core (which then waited for the
    # scheduler to move it: milliseconds per call), and it yields to interactive work
    if hasattr(os, "SCHED_BATCH"):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    matplotlib.use("Agg")
    requests = Connection(requests_fd, writable=False)
    results = Connection(results_fd, readable=False)
    attached: dict[str, shared_memory.SharedMemory] = {}
    fonts: set[str] = set()  # the font files this process knows
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):  # the caller's process is gone
            break
        if message is None:
            break
        seq, fn_bytes, payload, descs, rc, with_sizes = message
        if rc is not None:
            apply_settings(rc, fonts)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the caller's filters decide
            ok, value = _run(fn_bytes, payload, descs, attached, with_sizes)
        try:  # pickled here, so that the caller can always read the sequence number
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # the result could not be pickled
            ok, blob = False, pickle.dumps(pack_error(err), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            results.send((seq, ok, blob, caught_warnings(caught)))
        except OSError:  # the caller's process is gone
            break
    for block in attached.values():
        _close_quietly(block)


#: the canvas sizes of the tags this worker draws (it serves one writer; a tag is
#: always drawn by the same worker): the writer's own, as far as these tags go
_SIZES: list[Any] = []


def _run(fn_bytes: bytes, payload: bytes, descs: list[tuple[Any, ...]],
         attached: dict[str, shared_memory.SharedMemory], with_sizes: bool
         ) -> tuple[bool, Any]:
    arrays: list[np.ndarray] = []
    try:
        fn = pickle.loads(fn_bytes)
        params = pickle.loads(payload)
        arrays = [_open_array(d, attached) for d in descs]
        if with_sizes:
            if not _SIZES:
                from .render import CanvasSizes

                _SIZES.append(CanvasSizes())
            params["sizes"] = _SIZES[0]
        return True, fn(arrays, **params)
    except BaseException as err:
        return False, pack_error(err)
    finally:
        del arrays


#: shared-memory blocks a worker keeps mapped between jobs (the caller reuses them)
ATTACHED = 32


def _open_array(desc: tuple[Any, ...], attached: dict[str, shared_memory.SharedMemory]
                ) -> np.ndarray:
    if desc[0] == "inline":
        return np.asarray(desc[1])
    _, name, shape, dtype = desc
    block = attached.pop(name, None)
    if block is None:
        block = _attach(name)
        while len(attached) >= ATTACHED:
            _close_quietly(attached.pop(next(iter(attached))))
    attached[name] = block  # most recently used last
    return np.ndarray(shape, dtype=np.dtype(dtype), buffer=block.buf)


def _attach(name: str) -> shared_memory.SharedMemory:
    """Map the caller's block without registering it with a resource tracker.

    The caller owns the block and unlinks it; a tracker of the worker's own
    would unlink it (and warn) when the worker exits.
    """
    from multiprocessing import resource_tracker

    register = resource_tracker.register
    resource_tracker.register = lambda *args, **kwargs: None
    try:
        return shared_memory.SharedMemory(name=name)
    finally:
        resource_tracker.register = register


def _close_quietly(block: shared_memory.SharedMemory) -> None:
    try:
        block.close()
    except BufferError:  # pragma: no cover - an array still refers to it
        pass
