"""Wrappers around job functions for the process-mode tests, run in the worker process.

They are importable (and picklable) from a worker, and import little. A *gate*
is a directory: a wrapped job writes ``started-*`` there, then waits for a
``permit-*`` file to claim or for ``open`` to exist. The cross-process
counterpart of the thread-mode tests' gate.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any, Callable

import numpy as np

#: how long a gated job waits for a permit before failing (never a hang)
TIMEOUT = 30.0
#: the value in the first cell of an array that makes :func:`failing` raise
FAIL = 13.0
#: ... that makes :func:`failing` kill its own process
DIE = 666.0
#: ... that makes :func:`failing` end its process with exit status 3
EXIT = 777.0
#: ... that makes :func:`failing` raise an exception that cannot be pickled
UNPICKLABLE = 99.0


class InjectedFailure(RuntimeError):
    """Raised in a worker by :func:`failing`."""


def gated(gate: str, fn: Callable[..., Any], arrays: list[np.ndarray], **params: Any) -> Any:
    """Announce the job, wait for a permit, then run ``fn``."""
    open(os.path.join(gate, f"started-{uuid.uuid4().hex}"), "w").close()
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(os.path.join(gate, "open")):
        for name in sorted(os.listdir(gate)):
            if name.startswith("permit-"):
                try:
                    os.rename(os.path.join(gate, name), os.path.join(gate, "claimed-" + name))
                except OSError:  # another worker claimed it first
                    continue
                return fn(arrays, **params)
        if time.monotonic() > deadline:
            raise RuntimeError("test gate never opened")
        time.sleep(0.005)
    return fn(arrays, **params)


def failing(fn: Callable[..., Any], arrays: list[np.ndarray], **params: Any) -> Any:
    """Run ``fn``, unless the first cell says to fail (raise) or to die (SIGKILL itself)."""
    first = float(arrays[0].flat[0]) if arrays and arrays[0].size else None
    if first == FAIL:
        raise InjectedFailure(f"injected failure in process {os.getpid()}")
    if first == DIE:
        os.kill(os.getpid(), signal.SIGKILL)
    if first == EXIT:
        os._exit(3)
    if first == UNPICKLABLE:
        err = InjectedFailure("an injected failure that cannot be pickled")
        err.callback = lambda: None  # type: ignore[attr-defined]
        raise err
    return fn(arrays, **params)
