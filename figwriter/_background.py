"""The opt-in background modes: render, encode and write off the caller's thread.

``async_render=True`` (or ``"thread"``): :class:`Worker` below.
``async_render="process"``: worker processes, in :mod:`figwriter._process`.
Every mode runs a picture's work as a :class:`Job`: a module-level function and
its inputs as data. The same function runs in every mode (in process mode, in
the worker process), so the pictures are identical to the synchronous mode's.

Thread mode: one daemon thread per writer takes jobs from a bounded FIFO queue,
in call order, and draws each with the rcParams of its call
(:func:`drawing_with`). A full queue blocks the caller (back-pressure: nothing
is dropped). A job that fails does not stop the others; its exception is kept
and raised to the caller, with its original traceback, at the next call,
``flush()`` or ``close()``. Pending jobs are finished by ``flush()``/``close()``,
when the writer is garbage-collected, and at interpreter exit.

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union

import numpy as np

from ._process_settings import Settings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._job import ColormapJob, Encoded
    from ._process import ProcessWorker
    from .render import CanvasSizes

__all__ = ["Worker", "BufferPool", "Job", "colormap_png", "figure_png", "make_worker",
           "submit", "MODES"]

#: process mode passes pipe descriptors to its workers, which needs POSIX
OS_NAME = os.name
#: what ``async_render`` accepts, and the mode each value means
MODES: dict[object, str] = {True: "thread", "thread": "thread", "process": "process"}

Task = Callable[[], None]
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
        self._settings = Settings()  # the callers' rcParams, a snapshot per change
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
    def rc_of_the_call(self) -> dict[str, Any]:
        """matplotlib's rcParams now: one snapshot, shared by the calls while they stay."""
        self._settings.changed()  # a new snapshot only when they changed
        return self._settings.rc

    def submit(self, job: Task) -> None:
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


# -- jobs, the same in every mode ------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """``fn(arrays, **params)``, returning ``(png, height, width, colorspace)``.

    ``fn`` is a module-level function (process mode sends it by reference);
    ``arrays`` are the inputs the caller may change after the call (copied
    before the call returns in the background modes); ``params`` are the
    options. ``sizes`` is the writer's per-tag canvas sizes, for jobs that need
    them (passed as ``sizes=``): a worker process keeps its own for the tags it
    draws (a tag is always drawn by the same worker).
    """

    fn: Callable[..., Encoded]
    arrays: list[np.ndarray]
    params: dict[str, Any]
    sizes: CanvasSizes | None = None

    def run(self, arrays: list[np.ndarray] | None = None) -> Encoded:
        extra = {} if self.sizes is None else {"sizes": self.sizes}
        return self.fn(self.arrays if arrays is None else arrays, **self.params, **extra)


def colormap_png(panels: list[np.ndarray], *, job: ColormapJob, tag: str,
                 sizes: CanvasSizes) -> Encoded:
    """A colour-mapped picture's PNG, with ``tag``'s stable size."""
    from .render import Stream

    return job.with_panels(panels).png(Stream(tag, sizes))


def encoded(arrays: list[np.ndarray]) -> Encoded:
    """The PNG of a picture drawn already."""
    from . import _png

    (rgb,) = arrays
    return _png.encode_png(rgb), rgb.shape[0], rgb.shape[1], 3


def figure_png(arrays: list[np.ndarray], *, figures: bytes) -> Encoded:
    """Unpickle figures (a snapshot taken at call time), draw them and encode."""
    import pickle

    from ._job import draw_figures
    from .render.mpl import close_if_managed

    params = pickle.loads(figures)
    try:
        return encoded([draw_figures(params["figures"], params["dpi"], params["grid"])])
    finally:  # a figure pyplot managed in the caller is managed here too
        for f in params["figures"]:
            close_if_managed(f)


def _call(arrays: list[np.ndarray], *, job: Callable[[], Encoded]) -> Encoded:
    return job()


def figure_job(worker: AnyWorker | None, figures: list[Figure], dpi: float | None,
               close: bool, grid: bool) -> Job:
    """The job for ``add_figure_png`` on ``worker``; closes pyplot figures when ``close``.

    Process mode pickles the figures now (a snapshot, several times cheaper than
    drawing them) and the worker draws them; a figure that cannot be pickled is
    drawn now. Otherwise :func:`figwriter._job.figure_job` decides.
    """
    import pickle

    from ._job import draw_figures
    from ._job import figure_job as local_figure_job
    from ._process import ProcessWorker
    from .render.mpl import close_if_managed

    if not isinstance(worker, ProcessWorker):
        return Job(_call, [], {"job": local_figure_job(figures, dpi, close, grid,
                                                       draw_now=worker is None)})
    try:
        job = Job(figure_png, [], {"figures": pickle.dumps(
            {"figures": figures, "dpi": dpi, "grid": grid}, protocol=pickle.HIGHEST_PROTOCOL)})
    except Exception:  # a lambda in a formatter, an open file...: draw it here
        job = Job(encoded, [draw_figures(figures, dpi, grid)], {})
    if close:
        for f in figures:
            close_if_managed(f)
    return job


# -- running a job in the background -----------------------------------------------------
AnyWorker = Union[Worker, "ProcessWorker"]


def mode_of(worker: AnyWorker | None) -> bool | str:
    """A writer's ``async_render``: False, True (thread mode) or ``"process"``."""
    return worker is not None and (isinstance(worker, Worker) or "process")


def make_worker(async_render: object, max_pending: int, render_workers: int
                ) -> AnyWorker | None:
    """The worker for a writer's ``async_render`` setting (None: synchronous)."""
    if isinstance(async_render, (bool, np.bool_)):
        mode = MODES[True] if async_render else None
    elif isinstance(async_render, str) and async_render in MODES:
        mode = MODES[async_render]
    else:
        got = repr(async_render) if isinstance(async_render, str) else type(async_render).__name__
        error = ValueError if isinstance(async_render, str) else TypeError
        raise error(f"async_render must be False, True, 'thread' or 'process'; got {got}")
    if isinstance(render_workers, (bool, np.bool_)) or not isinstance(
            render_workers, (int, np.integer)):
        raise TypeError(f"render_workers must be an int; got {type(render_workers).__name__}")
    if render_workers < 1:
        raise ValueError(f"render_workers must be at least 1; got {render_workers}")
    if mode == "process":
        if OS_NAME != "posix":
            raise ValueError(
                f"async_render='process' needs a POSIX system (Linux, macOS); this is "
                f"{OS_NAME!r}: use async_render=True (a worker thread)"
            )
        from ._process import ProcessWorker

        return ProcessWorker(max_pending, int(render_workers))
    if render_workers != 1:
        raise ValueError(
            f"render_workers={render_workers} needs async_render='process' (thread mode "
            "and the synchronous mode draw on one thread)"
        )
    return Worker(max_pending) if mode == "thread" else None


def submit(worker: AnyWorker, job: Job, emit: Callable[[Encoded], None],
           *, what: str, route: str) -> None:
    """Run ``job`` on ``worker`` and hand its result to ``emit``, in call order.

    The caller's arrays are copied before this returns. ``what`` names the
    picture in errors; ``route`` (the tag) keeps a tag's pictures on one worker
    process.
    """
    from ._process import ProcessWorker

    if isinstance(worker, ProcessWorker):
        worker.submit(job.fn, job.arrays, job.params, emit, what=what, route=route,
                      sizes=job.sizes is not None)
        return
    buffers = worker.buffers
    copies = [buffers.copy(a) for a in job.arrays]
    rc = worker.rc_of_the_call()

    def run() -> None:
        try:
            with drawing_with(rc):
                result = job.run(copies)
        finally:
            for c in copies:
                buffers.give_back(c)
        emit(result)

    worker.submit(run)


@contextmanager
def drawing_with(rc: dict[str, Any]) -> Iterator[None]:
    """Draw with the rcParams ``rc`` (a call's), as the synchronous mode would.

    When the process's rcParams still equal them (the usual case) nothing is
    set. Otherwise the differing ones are set for the drawing, under the lock
    every matplotlib use of figwriter's holds, and afterwards each is put back
    unless something changed it meanwhile.
    """
    import matplotlib

    from .render.locking import MATPLOTLIB_LOCK

    params: Any = matplotlib.rcParams
    if dict.__eq__(params, rc):
        yield
        return
    with MATPLOTLIB_LOCK:
        mine = {k: v for k, v in rc.items()
                if k != "backend" and dict.__contains__(params, k) and not _same(params, k, v)}
        saved = {k: dict.__getitem__(params, k) for k in mine}
        dict.update(params, mine)
        try:
            yield
        finally:
            for k, v in saved.items():
                if dict.__getitem__(params, k) is mine[k]:
                    dict.__setitem__(params, k, v)


def _same(params: Any, key: str, value: Any) -> bool:
    try:
        current = dict.__getitem__(params, key)
        return bool(current is value or current == value)
    except Exception:  # values without an equality
        return False
