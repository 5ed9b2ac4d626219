"""The demo run behind ``python -m figwriter demo``.

A small, honest simulation logged the way a real run logs it: every logged step
advances a few physical fields by several explicit finite-difference steps, and
each field is written with the colour options it calls for:

``heat/temperature``
    a plate heated by two moving sources, its edges held at 20 °C (explicit
    limits, so the colours mean the same at every step; the hottest spots clip
    and the colour bar shows it);
``wave/height``
    ripples from raindrops on a pond (signed, ``center=0``);
``wave/spectrum``
    the ripples' power spectrum, spanning many decades (``norm="log"``);
``tracer/concentration``
    a tracer diffusing through a plate with holes (the holes are NaN, drawn in
    the colormap's "bad" colour);
``surrogate/loss_curve``
    a matplotlib figure of a tiny model's training loss, logged with
    ``add_figure_png``: a learned 3x3 stencil that tries to reproduce the heat
    solver;
``surrogate/prediction_target_error``
    that model's prediction, the solver's result and their difference, as one
    batch picture (when the writer has ``add_colormapped_images``);
``audio/...``, ``classifier/...``, ``transformer/...``, ``explain/...``
    the pictures of a model in training, with the options each calls for
    (:mod:`figwriter._demo_pictures`);

with scalars beside them. Only numpy and ``matplotlib.figure.Figure`` are used
(no pyplot).
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, TextIO

import numpy as np

from ._demo_pictures import ModelPictures, log_pictures
from ._demo_sim import (
    AMBIENT_C,
    HOT_C,
    HeatPlate,
    PorousTracer,
    Ripples,
    StencilSurrogate,
    power_spectrum,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_LOGDIR",
    "DEFAULT_PORT",
    "DEFAULT_STEPS",
    "HeatPlate",
    "PorousTracer",
    "Ripples",
    "StencilSurrogate",
    "power_spectrum",
    "remove_earlier_runs",
    "require_tensorboard",
    "run_demo",
    "serve",
]

DEFAULT_LOGDIR = os.path.join("runs", "figwriter-demo")
DEFAULT_STEPS = 60
DEFAULT_PORT = 6006
VIEWER_HINT = 'pip install "figwriter[viewer]" (from a clone: pip install -e ".[viewer]")'
#: the ending of the demo's event files, so a new demo run finds and replaces its own
EVENT_SUFFIX = ".figwriter-demo"
#: TensorBoard shows 10 pictures per tag unless told otherwise; this keeps up to
#: 1,000 (every step of the demo). images=0 would show none: TensorBoard reads
#: 0 as "down-sample to 0", not as "keep all".
SAMPLES_FLAGS = ("--samples_per_plugin", "images=1000")
SAMPLES_WHY = ("--samples_per_plugin images=1000 keeps every step's picture, up to 1,000 "
               "per tag; TensorBoard shows 10 per tag otherwise")



class _LossFigure:
    """One ``matplotlib.figure.Figure`` with the training curves, updated every step."""

    def __init__(self) -> None:
        from matplotlib import ticker
        from matplotlib.figure import Figure

        # fixed margins: a layout engine would cost more than the drawing itself
        self.figure: Figure = Figure(figsize=(7.0, 3.0), dpi=100)
        self.figure.subplots_adjust(left=0.12, right=0.98, bottom=0.16, top=0.8, wspace=0.36)
        self.loss_ax, self.error_ax = self.figure.subplots(1, 2)
        (self.loss_line,) = self.loss_ax.plot([], [], color="C0", marker=".", markersize=3)
        (self.error_line,) = self.error_ax.plot([], [], color="C3", marker=".", markersize=3)
        self.loss_ax.set_yscale("log")
        self.error_ax.set_yscale("log")  # an untrained stencil's rollout blows up
        for ax in (self.loss_ax, self.error_ax):
            # plain "1e-06" labels and no minor ticks: mathtext labels would
            # double the cost of drawing the figure at every step
            ax.yaxis.set_major_formatter(ticker.LogFormatter(labelOnlyBase=True))
            ax.yaxis.set_minor_locator(ticker.NullLocator())
        self.loss_ax.set_title("training loss")
        self.loss_ax.set_ylabel("mean squared error")
        self.error_ax.set_title("rollout error on the plate")
        self.error_ax.set_ylabel("RMS error (°C)")
        for ax in (self.loss_ax, self.error_ax):
            ax.set_xlabel("step")
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
            ax.grid(True, alpha=0.3)
        self.figure.suptitle("surrogate stencil")

    def update(self, steps: Sequence[int], loss: Sequence[float],
               error: Sequence[float]) -> Figure:
        """The figure with the curves so far."""
        self.loss_line.set_data(steps, loss)
        self.error_line.set_data(steps, error)
        for ax in (self.loss_ax, self.error_ax):
            ax.relim()
            ax.autoscale_view()
            ax.set_xlim(-0.5, max(1, steps[-1]) + 0.5)
        return self.figure


class _Progress:
    """A progress bar on a terminal, one line per step otherwise."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total = total
        self.stream = stream
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()

    def update(self, done: int, text: str) -> None:
        if self.stream is None:
            return
        elapsed = time.perf_counter() - self.start
        width = len(str(self.total))
        head = f"step {done:>{width}}/{self.total}  {text}  {elapsed:5.1f} s"
        if self.tty:
            filled = round(24 * done / self.total)
            bar = "#" * filled + "-" * (24 - filled)
            end = "\n" if done == self.total else ""
            self.stream.write(f"\r[{bar}] {head}{end}")
        else:
            self.stream.write(head + "\n")
        self.stream.flush()


def run_demo(
    logdir: str | os.PathLike[str] = DEFAULT_LOGDIR,
    steps: int = DEFAULT_STEPS,
    *,
    renderer: str | None = None,
    progress: TextIO | None = None,
) -> dict[str, Any]:
    """Simulate and log the demo run into ``logdir``.

    Parameters
    ----------
    logdir : str or path-like
        Where the event file goes (created if needed).
    steps : int
        Logged steps (global_step 0 .. steps - 1).
    renderer : {"fast", "matplotlib"}, optional
        Renderer for every colour-mapped picture; default: the library's default.
    progress : file-like, optional
        Where progress goes (a bar on a terminal, one line per step otherwise);
        None for silence.

    Each run starts afresh: event files an earlier demo run left in ``logdir``
    (and only those, recognised by their name ending in ``.figwriter-demo``) are
    removed first, so TensorBoard shows every step once.

    Returns
    -------
    dict
        ``{"logdir", "steps", "images", "scalars", "seconds", "removed"}``: the
        image and scalar tags written, the wall time taken, and the paths of the
        earlier demo event files removed.

    Examples
    --------
    >>> summary = run_demo(logdir, steps=2)
    >>> summary["steps"], "heat/temperature" in summary["images"]
    (2, True)
    """
    from . import FigureSummaryWriter

    _check_steps(steps)
    image_options: dict[str, Any] = {} if renderer is None else {"renderer": renderer}
    run = _Run()
    bar = _Progress(steps, progress)
    started = time.perf_counter()
    removed = remove_earlier_runs(logdir)
    with FigureSummaryWriter(os.fspath(logdir), filename_suffix=EVENT_SUFFIX) as writer:
        for step in range(steps):
            train_loss = run.log_step(writer, step, image_options)
            bar.update(step + 1, f"loss {train_loss:.2e}")
    return {
        "logdir": os.fspath(logdir),
        "steps": steps,
        "images": run.images,
        "scalars": run.scalars,
        "seconds": time.perf_counter() - started,
        "removed": removed,
    }


def _check_steps(steps: object) -> None:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an int; got {type(steps).__name__}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")


class _Run:
    """The demo's simulations, its loss figure, and the tags it has written."""

    def __init__(self) -> None:
        self.plate = HeatPlate()
        self.pond = Ripples()
        self.tracer = PorousTracer()
        self.model = StencilSurrogate()
        self.loss_figure = _LossFigure()
        self.pictures = ModelPictures()
        self.history: tuple[list[int], list[float], list[float]] = ([], [], [])
        self.images: list[str] = []
        self.scalars: list[str] = []

    def image(self, tag: str) -> str:
        if tag not in self.images:
            self.images.append(tag)
        return tag

    def scalar(self, tag: str) -> str:
        if tag not in self.scalars:
            self.scalars.append(tag)
        return tag

    def log_step(self, writer: Any, step: int, image_options: dict[str, Any]) -> float:
        """Simulate one logged step and log it; returns the training loss."""
        before = self.plate.u.copy()
        self.plate.advance()
        train_loss = self.model.train()
        prediction = self.model.rollout(before, self.plate.substeps)
        error = (HOT_C - AMBIENT_C) * (prediction - self.plate.u)  # in °C
        rollout_rmse = float(np.sqrt(np.mean(error**2)))
        self.pond.advance()
        self.tracer.advance()
        self._log_fields(writer.add_colormapped_image, step, image_options)
        log_pictures(writer, step, self.pictures, self.image, image_options)
        batch: Callable[..., None] | None = getattr(writer, "add_colormapped_images", None)
        if batch is not None:
            # one shared scale: the missed heat reads in the same colours
            rise = (HOT_C - AMBIENT_C) * np.stack([prediction, self.plate.u])
            batch(
                self.image("surrogate/prediction_target_error"),
                [rise[0], rise[1], np.abs(rise[1] - rise[0])], step,
                titles=["prediction", "solver", "|error|"], ncols=3, cmap="inferno",
                label="°C above ambient", **image_options,
            )
        steps, losses, errors = self.history
        steps.append(step)
        losses.append(train_loss)
        errors.append(rollout_rmse)
        writer.add_figure_png(self.image("surrogate/loss_curve"),
                              self.loss_figure.update(*self.history), step, close=False)
        self._log_scalars(writer, step, train_loss, rollout_rmse)
        return train_loss

    def _log_fields(self, add: Callable[..., None], step: int,
                    image_options: dict[str, Any]) -> None:
        seconds = self.plate.t * 0.01
        add(self.image("heat/temperature"), self.plate.temperature, step,
            vmin=AMBIENT_C, vmax=HOT_C, cmap="inferno",
            title=f"heated plate, t = {seconds:.1f} s", label="temperature (°C)",
            **image_options)
        add(self.image("wave/height"), self.pond.u, step, center=0.0,
            title="ripples on a pond", label="surface height (mm)", **image_options)
        add(self.image("wave/spectrum"), power_spectrum(self.pond.u), step, norm="log",
            robust=True, cmap="magma", title="power spectrum of the ripples",
            label="power", **image_options)
        add(self.image("tracer/concentration"), self.tracer.concentration, step, vmin=0.0,
            vmax=1.0, cmap="viridis", title="tracer in a plate with holes",
            label="concentration (mol/L)", **image_options)

    def _log_scalars(self, writer: Any, step: int, train_loss: float,
                     rollout_rmse: float) -> None:
        temperature = self.plate.temperature
        for tag, value in (
            ("surrogate/train_loss", train_loss),
            ("surrogate/rollout_rmse", rollout_rmse),
            ("heat/max_temperature", float(temperature.max())),
            ("heat/mean_temperature", float(temperature.mean())),
            ("wave/energy", self.pond.energy),
            ("tracer/mass", self.tracer.mass),
        ):
            writer.add_scalar(self.scalar(tag), value, step)


def remove_earlier_runs(logdir: str | os.PathLike[str]) -> list[str]:
    """Remove the event files an earlier demo run wrote in ``logdir``; return their paths.

    Only files named ``events.out.tfevents.*.figwriter-demo`` directly in ``logdir``
    are touched: other runs and other files stay.
    """
    try:
        names = sorted(os.listdir(logdir))
    except FileNotFoundError:
        return []
    removed = []
    for name in names:
        path = os.path.join(logdir, name)
        if (name.startswith("events.out.tfevents.") and name.endswith(EVENT_SUFFIX)
                and os.path.isfile(path)):
            os.remove(path)
            removed.append(path)
    return removed


def require_tensorboard() -> None:
    """Raise ImportError with the install hint when TensorBoard is not importable."""
    try:
        import tensorboard  # noqa: F401
    except ImportError as err:
        raise ImportError(
            f"--serve needs TensorBoard, which is not installed; use {VIEWER_HINT}"
        ) from err


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Raise OSError with a clear message when ``host:port`` cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as err:
            raise OSError(
                f"port {port} on {host} is not free ({err.strerror}); choose another with --port"
            ) from err


def tensorboard_command(logdir: str | os.PathLike[str], port: int) -> list[str]:
    """The command line that serves ``logdir`` on 127.0.0.1:``port``."""
    return [sys.executable, "-m", "tensorboard.main", "--logdir", os.fspath(logdir),
            "--host", "127.0.0.1", "--port", str(port), *SAMPLES_FLAGS]


def open_instructions(logdir: str | os.PathLike[str], port: int = DEFAULT_PORT) -> str:
    """How to look at the run, as printed at the end of the demo."""
    return (
        "Open it in TensorBoard:\n"
        f"    tensorboard --logdir {shlex.quote(os.fspath(logdir))} {' '.join(SAMPLES_FLAGS)}"
        + ("" if port == DEFAULT_PORT else f" --port {port}")
        + f"\nthen browse to http://localhost:{port}/#images\n"
        f"({SAMPLES_WHY})"
    )


def serve(logdir: str | os.PathLike[str], port: int = DEFAULT_PORT,
          stream: TextIO | None = None) -> int:
    """Run TensorBoard on ``logdir`` at 127.0.0.1:``port`` until it exits or is stopped.

    Ctrl+C (or SIGTERM) stops TensorBoard too; no process is left behind.
    Returns TensorBoard's exit status (0 when stopped).
    """
    out = sys.stdout if stream is None else stream
    out.write(f"Serving TensorBoard at http://127.0.0.1:{port}/#images (Ctrl+C to stop)\n"
              f"({SAMPLES_WHY})\n")
    out.flush()
    process = subprocess.Popen(tensorboard_command(logdir, port))
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
