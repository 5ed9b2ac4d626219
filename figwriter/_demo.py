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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from ._demo_pictures import ModelPictures, log_pictures

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
               "per tag (TensorBoard shows 10 per tag otherwise)")

#: ambient temperature at the plate's edges, and the hottest colour on the scale
AMBIENT_C = 20.0
HOT_C = 80.0


def _laplacian(u: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """Five-point Laplacian (grid spacing 1) with the value ``pad`` outside the grid."""
    p = np.pad(u, 1, constant_values=pad)
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * u


def _gaussian(shape: tuple[int, int], y: float, x: float, width: float) -> np.ndarray:
    """A unit-height Gaussian bump centred at (y, x), in cells."""
    yy = np.arange(shape[0], dtype=np.float64)[:, None]
    xx = np.arange(shape[1], dtype=np.float64)[None, :]
    return np.exp(-((yy - y) ** 2) / (2.0 * width**2)) * np.exp(
        -((xx - x) ** 2) / (2.0 * width**2)
    )


@dataclass
class HeatPlate:
    """Heat equation on a square plate, explicit finite differences (FTCS).

    ``u`` is the temperature rise above ambient, in units of ``HOT_C - AMBIENT_C``;
    the edges are held at ambient (``u = 0``). Two Gaussian heat sources move
    along Lissajous paths. ``r = alpha dt / dx**2`` must stay at or below 1/4
    for the scheme to be stable.

    Examples
    --------
    >>> plate = HeatPlate(size=32)
    >>> plate.advance(10)
    >>> bool(plate.temperature.min() >= AMBIENT_C)
    True
    """

    size: int = 96
    r: float = 0.2
    power: float = 0.012
    substeps: int = 20
    u: np.ndarray = field(init=False, repr=False)
    t: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not 0.0 < self.r <= 0.25:
            raise ValueError(f"r must be in (0, 0.25] for a stable scheme; got {self.r}")
        self.u = np.zeros((self.size, self.size))

    def sources(self, t: float) -> np.ndarray:
        """Heat input per step at time ``t`` (in steps): two moving Gaussians."""
        n = self.size
        phase = 2.0 * np.pi * t / 2400.0
        a = _gaussian((n, n), n * (0.5 + 0.28 * np.sin(phase)),
                      n * (0.5 + 0.3 * np.sin(2 * phase + 0.5)), n / 24)
        b = _gaussian((n, n), n * (0.5 + 0.25 * np.cos(1.5 * phase)),
                      n * (0.5 - 0.3 * np.cos(phase)), n / 32)
        return self.power * (a + 0.8 * b)

    def step(self) -> None:
        """One explicit step: ``u += r * lap(u) + q``."""
        self.u = self.u + self.r * _laplacian(self.u) + self.sources(self.t)
        self.t += 1

    def advance(self, n: int | None = None) -> None:
        """``n`` steps (default ``substeps``, one logged step)."""
        for _ in range(self.substeps if n is None else n):
            self.step()

    @property
    def temperature(self) -> np.ndarray:
        """The plate's temperature in °C."""
        return AMBIENT_C + (HOT_C - AMBIENT_C) * self.u


@dataclass
class Ripples:
    """The 2-D wave equation (leapfrog), with raindrops falling on a pond.

    Fixed edges (``u = 0``), Courant number ``c dt / dx = courant`` (stable up
    to ``1/sqrt(2)``), light damping. A drop is a narrow Gaussian dent.

    Examples
    --------
    >>> pond = Ripples(size=32, seed=1)
    >>> pond.advance(5)
    >>> pond.u.shape
    (32, 32)
    """

    size: int = 128
    courant: float = 0.5
    damping: float = 2e-3
    drop_every: int = 5
    substeps: int = 12
    seed: int = 0
    u: np.ndarray = field(init=False, repr=False)
    u_prev: np.ndarray = field(init=False, repr=False)
    rng: np.random.Generator = field(init=False, repr=False)
    logged_steps: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not 0.0 < self.courant <= 2**-0.5:
            raise ValueError(
                f"courant must be in (0, 1/sqrt(2)] for a stable scheme; got {self.courant}"
            )
        self.rng = np.random.default_rng(self.seed)
        self.u = np.zeros((self.size, self.size))
        self.u_prev = self.u.copy()
        self.drop()

    def drop(self) -> None:
        """A raindrop at a random place: a dent in the surface, at rest."""
        n = self.size
        y, x = self.rng.uniform(0.2 * n, 0.8 * n, size=2)
        dent = -self.rng.uniform(0.6, 1.0) * _gaussian((n, n), y, x, n / 64)
        self.u = self.u + dent
        self.u_prev = self.u_prev + dent

    def step(self) -> None:
        """One leapfrog step: ``u_next = 2u - u_prev + C**2 lap(u)``, damped."""
        c2 = self.courant**2
        nxt = (2.0 - self.damping) * self.u - (1.0 - self.damping) * self.u_prev
        nxt += c2 * _laplacian(self.u)
        self.u_prev, self.u = self.u, nxt

    def advance(self, n: int | None = None) -> None:
        """A new drop every ``drop_every`` calls, then ``n`` steps (default ``substeps``)."""
        if self.logged_steps and self.logged_steps % self.drop_every == 0:
            self.drop()
        for _ in range(self.substeps if n is None else n):
            self.step()
        self.logged_steps += 1

    @property
    def energy(self) -> float:
        """Kinetic plus potential energy of the surface (arbitrary units)."""
        velocity = self.u - self.u_prev
        gy, gx = np.gradient(self.u)
        return float(0.5 * np.sum(velocity**2) + 0.5 * self.courant**2 * np.sum(gy**2 + gx**2))


def power_spectrum(u: np.ndarray) -> np.ndarray:
    """The centred 2-D power spectrum ``|FFT(u)|**2`` (zero frequency in the middle).

    Examples
    --------
    >>> p = power_spectrum(np.ones((4, 4)))
    >>> float(p[2, 2]), float(p.sum())
    (256.0, 256.0)
    """
    return np.abs(np.fft.fftshift(np.fft.fft2(u))) ** 2


@dataclass
class PorousTracer:
    """A tracer diffusing through a plate with round holes, left to right.

    The left edge is held at concentration 1, the right edge at 0, top and
    bottom are closed; holes are closed too (no flux across their edge). Holes
    read as NaN in :attr:`concentration`.

    Examples
    --------
    >>> tracer = PorousTracer(shape=(24, 36))
    >>> tracer.advance(5)
    >>> bool(np.isnan(tracer.concentration).any())
    True
    """

    shape: tuple[int, int] = (96, 144)
    r: float = 0.24
    substeps: int = 60
    seed: int = 3
    c: np.ndarray = field(init=False, repr=False)
    solid: np.ndarray = field(init=False, repr=False)
    _open: np.ndarray = field(init=False, repr=False)
    _open_v: np.ndarray = field(init=False, repr=False)
    _open_h: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.r <= 0.25:
            raise ValueError(f"r must be in (0, 0.25] for a stable scheme; got {self.r}")
        h, w = self.shape
        rng = np.random.default_rng(self.seed)
        yy, xx = np.indices(self.shape)
        solid = np.zeros(self.shape, dtype=bool)
        radius = max(min(h, w) / 14, 1.5)
        for _ in range(14):
            cy = rng.uniform(0, h)
            cx = rng.uniform(0.12 * w, w)
            solid |= (yy - cy) ** 2 + (xx - cx) ** 2 <= (radius * rng.uniform(0.7, 1.4)) ** 2
        self.solid = solid
        self.c = np.zeros(self.shape)
        self._open = (~solid).astype(np.float64)
        self._open_v = self._open[1:] * self._open[:-1]  # both cells open
        self._open_h = self._open[:, 1:] * self._open[:, :-1]

    def step(self) -> None:
        """One explicit step: flux only between open neighbours, and in at the left edge."""
        c = self.c
        flux = np.zeros_like(c)
        dv = self._open_v * (c[1:] - c[:-1])
        flux[:-1] += dv
        flux[1:] -= dv
        dh = self._open_h * (c[:, 1:] - c[:, :-1])
        flux[:, :-1] += dh
        flux[:, 1:] -= dh
        flux[:, 0] += self._open[:, 0] * (1.0 - c[:, 0])  # inlet held at 1
        flux[:, -1] -= self._open[:, -1] * c[:, -1]  # outlet held at 0
        self.c = c + self.r * flux

    def advance(self, n: int | None = None) -> None:
        """``n`` steps (default ``substeps``, one logged step)."""
        for _ in range(self.substeps if n is None else n):
            self.step()

    @property
    def concentration(self) -> np.ndarray:
        """The concentration, NaN inside the holes."""
        return np.where(self.solid, np.nan, self.c)

    @property
    def mass(self) -> float:
        """Total tracer in the plate."""
        return float(self.c[~self.solid].sum())


def _shifts(u: np.ndarray) -> np.ndarray:
    """The nine 3x3-neighbourhood shifts of ``u`` (zero outside), shape (9, H, W)."""
    p = np.pad(u, 1)
    h, w = u.shape
    return np.stack([p[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)])


@dataclass
class StencilSurrogate:
    """A learned 3x3 stencil that stands in for the heat solver's step.

    Trained with Adam on mean squared error, on random rough fields and what
    one solver step makes of them (``v + r * lap(v)``); :meth:`rollout` then
    applies it to the real plate. The plate also has heat sources the stencil
    knows nothing of, so the rollout error levels off above zero while the
    training loss keeps falling.

    Examples
    --------
    >>> model = StencilSurrogate(seed=0)
    >>> first = model.train(iterations=1)
    >>> for _ in range(20):
    ...     last = model.train()
    >>> last < first / 10
    True
    """

    r: float = 0.2
    size: int = 32
    lr: float = 0.05
    seed: int = 0
    w: np.ndarray = field(init=False, repr=False)
    rng: np.random.Generator = field(init=False, repr=False)
    _m: np.ndarray = field(init=False, repr=False)
    _v: np.ndarray = field(init=False, repr=False)
    _t: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.w = self.rng.normal(0.0, 0.2, size=9)
        self.w[4] += 1.0  # start near the identity stencil
        self._m = np.zeros(9)
        self._v = np.zeros(9)

    def predict(self, u: np.ndarray) -> np.ndarray:
        """One application of the stencil (zero outside the grid)."""
        return np.tensordot(self.w, _shifts(u), axes=1)

    def rollout(self, u: np.ndarray, n: int) -> np.ndarray:
        """``n`` applications of the stencil."""
        for _ in range(n):
            u = self.predict(u)
        return u

    def train(self, iterations: int = 3) -> float:
        """A few Adam steps, each on a fresh random field; returns the last loss."""
        loss = 0.0
        for _ in range(iterations):
            v = self.rng.normal(size=(self.size, self.size))
            target = v + self.r * _laplacian(v)
            x = _shifts(v)
            residual = np.tensordot(self.w, x, axes=1) - target
            loss = float(np.mean(residual**2))
            grad = 2.0 * np.tensordot(x, residual, axes=([1, 2], [0, 1])) / residual.size
            self._t += 1
            self._m = 0.9 * self._m + 0.1 * grad
            self._v = 0.999 * self._v + 0.001 * grad**2
            m_hat = self._m / (1 - 0.9**self._t)
            v_hat = self._v / (1 - 0.999**self._t)
            lr = self.lr / np.sqrt(1.0 + self._t / 10.0)
            self.w = self.w - lr * m_hat / (np.sqrt(v_hat) + 1e-12)
        return loss


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

    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an int; got {type(steps).__name__}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")
    image_options: dict[str, Any] = {} if renderer is None else {"renderer": renderer}

    plate = HeatPlate()
    pond = Ripples()
    tracer = PorousTracer()
    model = StencilSurrogate()
    loss_figure = _LossFigure()
    model_pictures = ModelPictures()
    history: tuple[list[int], list[float], list[float]] = ([], [], [])
    bar = _Progress(steps, progress)
    started = time.perf_counter()
    images: list[str] = []
    scalars: list[str] = []
    removed = remove_earlier_runs(logdir)

    def image(tag: str) -> str:
        if tag not in images:
            images.append(tag)
        return tag

    def scalar(tag: str) -> str:
        if tag not in scalars:
            scalars.append(tag)
        return tag

    with FigureSummaryWriter(os.fspath(logdir), filename_suffix=EVENT_SUFFIX) as writer:
        batch = getattr(writer, "add_colormapped_images", None)
        for step in range(steps):
            # -- simulate one logged step ---------------------------------------------
            before = plate.u.copy()
            plate.advance()
            train_loss = model.train()
            prediction = model.rollout(before, plate.substeps)
            error = (HOT_C - AMBIENT_C) * (prediction - plate.u)  # in °C
            rollout_rmse = float(np.sqrt(np.mean(error**2)))
            pond.advance()
            tracer.advance()

            # -- log it ---------------------------------------------------------------
            seconds = plate.t * 0.01
            writer.add_colormapped_image(
                image("heat/temperature"), plate.temperature, step,
                vmin=AMBIENT_C, vmax=HOT_C, cmap="inferno",
                title=f"heated plate, t = {seconds:.1f} s", label="temperature (°C)",
                **image_options,
            )
            writer.add_colormapped_image(
                image("wave/height"), pond.u, step, center=0.0,
                title="ripples on a pond", label="surface height (mm)", **image_options,
            )
            writer.add_colormapped_image(
                image("wave/spectrum"), power_spectrum(pond.u), step, norm="log",
                robust=True, cmap="magma", title="power spectrum of the ripples",
                label="power", **image_options,
            )
            writer.add_colormapped_image(
                image("tracer/concentration"), tracer.concentration, step, vmin=0.0,
                vmax=1.0, cmap="viridis", title="tracer in a plate with holes",
                label="concentration (mol/L)", **image_options,
            )
            if batch is not None:
                # one shared scale: the missed heat reads in the same colours
                rise = (HOT_C - AMBIENT_C) * np.stack([prediction, plate.u])
                batch(
                    image("surrogate/prediction_target_error"),
                    [rise[0], rise[1], np.abs(rise[1] - rise[0])], step,
                    titles=["prediction", "solver", "|error|"], ncols=3, cmap="inferno",
                    label="°C above ambient", **image_options,
                )

            log_pictures(writer, step, model_pictures, image, image_options)
            history[0].append(step)
            history[1].append(train_loss)
            history[2].append(rollout_rmse)
            writer.add_figure_png(
                image("surrogate/loss_curve"), loss_figure.update(*history), step, close=False
            )
            writer.add_scalar(scalar("surrogate/train_loss"), train_loss, step)
            writer.add_scalar(scalar("surrogate/rollout_rmse"), rollout_rmse, step)
            writer.add_scalar(scalar("heat/max_temperature"), float(plate.temperature.max()),
                              step)
            writer.add_scalar(scalar("heat/mean_temperature"),
                              float(plate.temperature.mean()), step)
            writer.add_scalar(scalar("wave/energy"), pond.energy, step)
            writer.add_scalar(scalar("tracer/mass"), tracer.mass, step)
            bar.update(step + 1, f"loss {train_loss:.2e}")

    return {
        "logdir": os.fspath(logdir),
        "steps": steps,
        "images": images,
        "scalars": scalars,
        "seconds": time.perf_counter() - started,
        "removed": removed,
    }


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
