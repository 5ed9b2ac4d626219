"""The benchmark behind ``python -m figwriter bench``.

Every approach to logging a colour-mapped 2-D array runs in one process,
interleaved: each round calls every approach once, in a shuffled order, so load
from other processes and thermal drift hit all of them alike. Each approach is
warmed up first; the median over the rounds is reported, with its ratio against
figwriter's own fast call. Inputs are float32 arrays (a smooth field with fine
structure and 2 % noise) multiplied by a different factor on every call, so
the colour limits and the tick labels change every call, as they do in a
training loop. Preparing the input is not timed.

Approaches (main table):

``seed``
    the usual workaround: pyplot ``figure`` + ``imshow`` + ``colorbar``,
    ``savefig`` into a ``BytesIO``, Pillow decode, tensorboardX ``add_image``
    (HWC), ``plt.close``;
``tbx_add_figure``
    tensorboardX ``add_figure`` of a fresh pyplot figure with ``imshow`` +
    ``colorbar``;
``tbx_add_image``
    tensorboardX ``add_image`` of the bare array, min-max scaled to [0, 1]
    (scaling included; no colour bar);
``fast``, ``matplotlib``
    ``FigureSummaryWriter.add_colormapped_image`` with each renderer;
``background``
    the same call on a writer made with ``async_render=True``: only the time
    the call takes on the caller's thread (the writer is flushed after each
    call, outside the timed region);
``floor_minmax``, ``floor_png``
    floors: one ``np.nanmin`` + ``np.nanmax`` pass over the input, and the PNG
    encode alone of the fast renderer's picture.

A second table times ``add_figure_png`` against tensorboardX ``add_figure`` on
one reused figure (not made with pyplot) and against the figure's own
``canvas.draw()``, the floor. A third compares PNG encoders (deflate back ends,
levels, row filters and Pillow) on the pictures the library writes.

Peak extra memory per call is tracemalloc's peak during one call made after the
timed rounds (for ``background``: the call and the flush that waits for its
picture). It counts Python objects and numpy arrays; buffers that C/C++ code
allocates itself (Agg's canvas, Pillow's image memory, deflate's state) are
not traced, so the rows that go through matplotlib or Pillow understate theirs.

PNG bytes per picture are read back from the event files each approach wrote.
Targets from the project's issues are evaluated and printed (and included in
``--json``); they are reported, not enforced: the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import gc
import glob
import io
import json
import math
import os
import platform
import shlex
import statistics
import struct
import sys
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, TextIO

import numpy as np

from .__main__ import _positive_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["main", "run_benchmark", "make_field", "SIZES", "QUICK_SIZES"]

PROG = "figwriter bench"

#: array sides (square float32 inputs) of the full run and of ``--quick``
SIZES: tuple[int, ...] = (64, 256, 1024, 4096)
QUICK_SIZES: tuple[int, ...] = (64, 256)
#: rounds per size in the full run (sides not listed: by number of cells)
ROUNDS: dict[int, int] = {64: 21, 256: 31, 1024: 15, 4096: 9}
QUICK_ROUNDS = 5
#: warm-up calls per approach and size (one for a call slower than WARMUP_ONCE_SECONDS)
WARMUP = 2
QUICK_WARMUP = 1
WARMUP_ONCE_SECONDS = 3.0
#: an approach whose last warm-up call took longer than SLOW_SECONDS runs at most
#: SLOW_ROUNDS rounds; longer than VERY_SLOW_SECONDS, VERY_SLOW_ROUNDS (keeps the
#: full run within minutes on a busy 2-core machine)
SLOW_SECONDS, SLOW_ROUNDS = 1.0, 5
VERY_SLOW_SECONDS, VERY_SLOW_ROUNDS = 4.0, 3
FIGURE_ROUNDS, QUICK_FIGURE_ROUNDS = 21, 5
ENCODER_ROUNDS, QUICK_ENCODER_ROUNDS = 15, 3
#: the markers between which ``--markdown`` writes its section
MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"

#: approach name -> table label, in table order
LABELS: dict[str, str] = {
    "seed": "seed: pyplot+savefig+PIL decode+add_image",
    "tbx_add_figure": "tensorboardX add_figure (pyplot, colorbar)",
    "tbx_add_image": "tensorboardX add_image (bare, no bar)",
    "fast": "figwriter fast",
    "matplotlib": "figwriter renderer='matplotlib'",
    "background": "figwriter async_render (caller only)",
    "floor_minmax": "floor: nanmin + nanmax",
    "floor_png": "floor: PNG encode of the fast picture",
}
FIGURE_LABELS: dict[str, str] = {
    "fig_draw": "floor: figure.canvas.draw()",
    "fig_add_figure_png": "figwriter add_figure_png",
    "fig_tbx_add_figure": "tensorboardX add_figure (same figure)",
}
FLOORS = ("floor_minmax", "floor_png", "fig_draw")
#: one colour per approach, the same in every chart
_COLORS: dict[str, str] = {
    "seed": "tab:red", "tbx_add_figure": "tab:orange", "tbx_add_image": "tab:olive",
    "fast": "tab:blue", "matplotlib": "tab:purple", "background": "tab:cyan",
    "floor_minmax": "0.45", "floor_png": "0.7",
}


# -- inputs ------------------------------------------------------------------------------
def make_field(n: int, seed: int = 0) -> np.ndarray:
    """The benchmark's input: an (n, n) float32 field with fine structure and noise.

    Parameters
    ----------
    n : int
        Side length.
    seed : int, default 0
        Seed of the noise.

    Examples
    --------
    >>> make_field(8).dtype, make_field(8).shape
    (dtype('float32'), (8, 8))
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    x, y = t[None, :], t[:, None]
    values = np.sin(np.float32(6.0) * x) * np.cos(np.float32(4.0) * y)
    values += np.float32(0.5) * np.exp(-((x - 0.3) ** 2 + (y - 0.6) ** 2) / np.float32(0.02))
    values += np.float32(0.02) * rng.standard_normal((n, n), dtype=np.float32)
    return values.astype(np.float32, copy=False)


def call_factor(k: int) -> float:
    """The factor the input is multiplied by for call ``k``: in [0.5, 2), never repeating."""
    return 0.5 + 1.5 * ((k * 0.6180339887498949) % 1.0)


def _use_agg() -> None:
    """Force the Agg backend before pyplot is used (only the pyplot approaches call this)."""
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")


# -- the measuring engine -------------------------------------------------------------
@dataclass
class Approach:
    """One way of logging a picture, as the engine runs it.

    ``call(x, step)`` is timed; ``after()`` (if any) runs after it, untimed.
    """

    name: str
    call: Callable[[Any, int], None]
    after: Callable[[], None] | None = None


@dataclass
class Measured:
    """What the engine measured for one approach in one table."""

    times: list[float] = field(default_factory=list)
    peak_bytes: int | None = None

    @property
    def median_ms(self) -> float:
        return 1e3 * statistics.median(self.times)


def _timed(approach: Approach, x: Any, step: int) -> float:
    t0 = time.perf_counter()
    approach.call(x, step)
    elapsed = time.perf_counter() - t0
    if approach.after is not None:
        approach.after()
    return elapsed


def _peak_memory(approach: Approach, x: Any, step: int) -> int:
    """tracemalloc's peak above the start during one call (and its ``after``)."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        approach.call(x, step)
        if approach.after is not None:
            approach.after()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - before)


def _run_rounds(
    approaches: Sequence[Approach],
    make_input: Callable[[int], Any],
    *,
    rounds: int,
    warmup: int,
    rng: np.random.Generator,
    skipped: dict[str, str],
    measure_memory: bool = True,
    progress: TextIO | None = None,
    what: str = "",
) -> dict[str, Measured]:
    """Warm up, then run ``rounds`` interleaved rounds; returns what was measured.

    An approach that raises is recorded in ``skipped`` (with the error) and left
    out. One whose last warm-up call takes longer than ``SLOW_SECONDS`` runs in
    the first ``SLOW_ROUNDS`` rounds only (``VERY_SLOW_ROUNDS`` beyond
    ``VERY_SLOW_SECONDS``); one call longer than ``WARMUP_ONCE_SECONDS`` ends its
    warm-up.
    """
    counter = 0

    def next_input() -> tuple[Any, int]:
        nonlocal counter
        counter += 1
        return make_input(counter), counter

    budget: dict[str, int] = {}
    active: list[Approach] = []
    for a in approaches:
        if a.name in skipped:
            continue
        elapsed = 0.0
        try:
            for _ in range(warmup):
                x, step = next_input()
                elapsed = _timed(a, x, step)
                del x
                if elapsed > WARMUP_ONCE_SECONDS:
                    break
        except Exception as err:  # the approach is not available here: say why
            skipped[a.name] = f"{type(err).__name__}: {err}"
            _say(progress, f"{what}: {a.name} skipped ({skipped[a.name]})")
            continue
        budget[a.name] = (min(rounds, VERY_SLOW_ROUNDS) if elapsed > VERY_SLOW_SECONDS
                          else min(rounds, SLOW_ROUNDS) if elapsed > SLOW_SECONDS else rounds)
        active.append(a)

    results = {a.name: Measured() for a in active}
    for r in range(rounds):
        order = [a for a in active if budget[a.name] > r]
        for i in rng.permutation(len(order)):
            a = order[int(i)]
            x, step = next_input()
            try:
                results[a.name].times.append(_timed(a, x, step))
            except Exception as err:
                skipped[a.name] = f"failed in round {r + 1}: {type(err).__name__}: {err}"
                _say(progress, f"{what}: {a.name} {skipped[a.name]}")
                active.remove(a)
                del results[a.name]
            del x

    if measure_memory:
        for a in active:
            x, step = next_input()
            results[a.name].peak_bytes = _peak_memory(a, x, step)
            del x
    return results


def _say(progress: TextIO | None, text: str) -> None:
    if progress is not None:
        print(f"[bench] {text}", file=progress, flush=True)


# -- the approaches ----------------------------------------------------------------------
class _Writers:
    """The writers every approach logs through, in one temporary logdir."""

    def __init__(self, root: str) -> None:
        from tensorboardX import SummaryWriter

        from .writer import FigureSummaryWriter

        self.root = root
        self.tbx = SummaryWriter(os.path.join(root, "tensorboardX"))
        self.fw = FigureSummaryWriter(os.path.join(root, "figwriter"))
        self.background: Any = None
        self.background_error: str | None = None
        try:
            self.background = FigureSummaryWriter(
                os.path.join(root, "background"), async_render=True
            )
        except TypeError as err:
            self.background_error = f"FigureSummaryWriter does not take async_render ({err})"

    def close(self) -> None:
        for w in (self.tbx, self.fw, self.background):
            if w is not None:
                w.close()


def _seed_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        _use_agg()
        import matplotlib.pyplot as plt
        from PIL import Image

        fig = plt.figure()
        im = plt.imshow(x)
        plt.colorbar(im)
        buf = io.BytesIO()
        plt.savefig(buf, format="png")
        buf.seek(0)
        img = np.asarray(Image.open(buf))[:, :, :3]
        writer.add_image(tag, img, step, dataformats="HWC")
        plt.close(fig)

    return call


def _add_figure_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        _use_agg()
        import matplotlib.pyplot as plt

        fig = plt.figure()
        im = plt.imshow(x)
        plt.colorbar(im)
        writer.add_figure(tag, fig, step)  # closes the figure

    return call


def _bare_image_call(writer: Any, tag: str) -> Callable[[Any, int], None]:
    def call(x: Any, step: int) -> None:
        lo, hi = np.nanmin(x), np.nanmax(x)
        writer.add_image(tag, (x - lo) / (hi - lo), step, dataformats="HW")

    return call


def _fast_picture(x: np.ndarray, key: str) -> np.ndarray:
    """The fast renderer's picture of ``x``: what ``add_colormapped_image`` encodes."""
    from . import _scale
    from .render import PictureOptions, Stream, render

    scale = _scale.resolve_scale([x], _scale.scale_options())
    return render("fast", [x], [scale], PictureOptions(), Stream(key))


def _main_approaches(w: _Writers, key: str, base: np.ndarray,
                     skipped: dict[str, str]) -> list[Approach]:
    """The main table's approaches for one input size; tags are ``name/key``."""
    from . import _png

    def tag(name: str) -> str:
        return f"{name}/{key}"

    fw, bw = w.fw, w.background
    approaches = [
        Approach("seed", _seed_call(w.tbx, tag("seed"))),
        Approach("tbx_add_figure", _add_figure_call(w.tbx, tag("tbx_add_figure"))),
        Approach("tbx_add_image", _bare_image_call(w.tbx, tag("tbx_add_image"))),
        Approach("fast", lambda x, step: fw.add_colormapped_image(tag("fast"), x, step)),
        Approach("matplotlib", lambda x, step: fw.add_colormapped_image(
            tag("matplotlib"), x, step, renderer="matplotlib")),
    ]
    if bw is None:
        skipped.setdefault("background", w.background_error or "unavailable")
    else:
        approaches.append(Approach(
            "background", lambda x, step: bw.add_colormapped_image(tag("background"), x, step),
            after=bw.flush,
        ))

    def minmax(x: Any, step: int) -> None:
        np.nanmin(x)
        np.nanmax(x)

    approaches.append(Approach("floor_minmax", minmax))
    try:
        picture = _fast_picture(base, key=tag("floor_png"))
    except Exception as err:
        skipped.setdefault("floor_png", f"no fast picture to encode: {type(err).__name__}: {err}")
    else:

        def encode(x: Any, step: int) -> None:
            _png.encode_png(picture)

        approaches.append(Approach("floor_png", encode))
    return approaches


def _bench_figure() -> tuple[Figure, Callable[[int], None]]:
    """A reused figure (no pyplot): a line plot beside an ``imshow`` with a colour bar.

    Returns the figure and a function that changes its data for call ``k``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 3.5), dpi=100)
    FigureCanvasAgg(fig)
    ax_line, ax_image = fig.subplots(1, 2)
    t = np.linspace(0.0, 10.0, 2000)
    curve = np.exp(-t / 4.0) + 0.05 * np.sin(7.0 * t)
    (line,) = ax_line.plot(t, curve)
    ax_line.set_xlabel("epoch")
    ax_line.set_ylabel("loss")
    field_ = make_field(128)
    im = ax_image.imshow(field_)
    fig.colorbar(im, ax=ax_image)

    def change(k: int) -> None:
        f = call_factor(k)
        line.set_ydata(curve * f)
        ax_line.relim()
        ax_line.autoscale_view()
        im.set_data(field_ * np.float32(f))
        im.autoscale()

    return fig, change


# -- PNG encoders ------------------------------------------------------------------------
def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(kind)) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _filtered(rgb: np.ndarray, how: str) -> bytes:
    """PNG scanlines with one filter type for every row: "none", "sub" or "up"."""
    h, w, c = rgb.shape
    rows = rgb.reshape(h, w * c)
    out = np.empty((h, w * c + 1), dtype=np.uint8)
    if how == "none":
        out[:, 0] = 0
        out[:, 1:] = rows
    elif how == "sub":
        out[:, 0] = 1
        out[:, 1:c + 1] = rows[:, :c]
        np.subtract(rows[:, c:], rows[:, :-c], out=out[:, c + 1:])
    else:
        out[0, 0] = 0
        out[0, 1:] = rows[0]
        out[1:, 0] = 2
        np.subtract(rows[1:], rows[:-1], out=out[1:, 1:])
    return out.tobytes()


def _png_variant(compress: Callable[[bytes], bytes], how: str) -> Callable[[np.ndarray], bytes]:
    def encode(rgb: np.ndarray) -> bytes:
        h, w, _ = rgb.shape
        ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
        idat = compress(_filtered(rgb, how))
        return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat)
                + _chunk(b"IEND", b""))

    return encode


def _deflate(module: Any, level: int) -> Callable[[bytes], bytes]:
    def compress(data: bytes) -> bytes:
        return bytes(module.compress(data, level))

    return compress


def _pillow_png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def _encoders() -> dict[str, Callable[[np.ndarray], bytes]]:
    """Encoder name -> function; the first is the library's default."""
    from . import _png

    out: dict[str, Callable[[np.ndarray], bytes]] = {}
    available = _png.available_backends()
    try:
        from isal import isal_zlib
    except ImportError:
        isal_zlib = None  # type: ignore[assignment]
    if "isal" in available:
        out["figwriter isal (level 1, Up)"] = lambda rgb: _png.encode_png(rgb, backend="isal")
    out["figwriter zlib (level 6, Up)"] = lambda rgb: _png.encode_png(rgb, backend="zlib")
    if isal_zlib is not None:
        for level in (0, 2, 3):
            out[f"isal level {level}, Up"] = _png_variant(_deflate(isal_zlib, level), "up")
        for how in ("none", "sub"):
            out[f"isal level 1, {how.capitalize()}"] = _png_variant(_deflate(isal_zlib, 1), how)
    out["zlib level 1, Up"] = _png_variant(_deflate(zlib, 1), "up")
    out["Pillow default (what add_image uses)"] = _pillow_png
    return out


def _run_encoders(pictures: dict[str, np.ndarray], rounds: int,
                  rng: np.random.Generator) -> dict[str, Any]:
    """Time every encoder on every picture, interleaved; check Pillow decodes each."""
    from PIL import Image

    encoders = _encoders()
    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    pairs = [(e, p) for e in encoders for p in pictures]
    for e, p in pairs:  # warm-up, size and a decode check
        png = encoders[e](pictures[p])
        decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        if not np.array_equal(decoded, pictures[p]):
            raise RuntimeError(f"encoder {e!r} did not round-trip picture {p!r}")
        sizes[e, p] = len(png)
        times[e, p] = []
    for _ in range(rounds):
        for i in rng.permutation(len(pairs)):
            e, p = pairs[int(i)]
            t0 = time.perf_counter()
            encoders[e](pictures[p])
            times[e, p].append(time.perf_counter() - t0)
    default = next(iter(encoders))
    rows = []
    for e in encoders:
        cells = {
            p: {"median_ms": 1e3 * statistics.median(times[e, p]), "png_bytes": sizes[e, p]}
            for p in pictures
        }
        rel_time = _geomean([statistics.median(times[e, p])
                             / statistics.median(times[default, p]) for p in pictures])
        rel_size = _geomean([sizes[e, p] / sizes[default, p] for p in pictures])
        rows.append({"encoder": e, "pictures": cells, "time_vs_default": rel_time,
                     "bytes_vs_default": rel_size})
    return {
        "rounds": rounds,
        "default": default,
        "pictures": {p: f"{a.shape[1]}x{a.shape[0]}" for p, a in pictures.items()},
        "rows": rows,
    }


def _geomean(values: Sequence[float]) -> float:
    return float(math.exp(sum(math.log(v) for v in values) / len(values)))


# -- reading back PNG sizes ------------------------------------------------------------
def _image_sizes(root: str) -> dict[str, list[int]]:
    """Encoded PNG bytes of every image event under ``root``, by tag."""
    from tensorboardX.proto.event_pb2 import Event

    sizes: dict[str, list[int]] = {}
    for path in glob.glob(os.path.join(root, "**", "events.out.tfevents.*"), recursive=True):
        with open(path, "rb") as f:
            data = f.read()
        pos = 0
        while pos + 12 <= len(data):
            (length,) = struct.unpack_from("<Q", data, pos)
            pos += 12  # length and its CRC
            event = Event.FromString(data[pos:pos + length])
            pos += length + 4  # the record and its CRC
            for value in event.summary.value:
                if value.HasField("image"):
                    sizes.setdefault(value.tag, []).append(
                        len(value.image.encoded_image_string))
    return sizes


# -- the whole run -----------------------------------------------------------------------
def _rounds_for(n: int, repeats: int | None, quick: bool) -> int:
    if repeats is not None:
        return repeats
    if quick:
        return QUICK_ROUNDS
    if n in ROUNDS:
        return ROUNDS[n]
    return 31 if n * n <= 256 * 256 else 15 if n * n <= 1024 * 1024 else 9


def _machine() -> dict[str, Any]:
    import matplotlib
    import PIL
    import tensorboardX

    from . import __version__, _png

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import isal

        isal_version: str | None = str(isal.__version__)
    except ImportError:
        isal_version = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {
            "figwriter": __version__,
            "numpy": np.__version__,
            "matplotlib": matplotlib.__version__,
            "tensorboardX": tensorboardX.__version__,
            "Pillow": PIL.__version__,
            "isal": isal_version,
        },
        "png_backend": _png.DEFAULT_BACKEND,
    }


def _loadavg() -> float | None:
    try:
        return float(os.getloadavg()[0])
    except (OSError, AttributeError):
        return None


def run_benchmark(
    sizes: Sequence[int] = SIZES,
    *,
    quick: bool = False,
    repeats: int | None = None,
    progress: TextIO | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Run every table and evaluate the targets; returns the results as a dict.

    Parameters
    ----------
    sizes : sequence of int
        Sides of the square float32 inputs.
    quick : bool, default False
        Fewer rounds and warm-up calls (for a smoke run).
    repeats : int, optional
        Rounds per table, instead of the defaults.
    progress : file, optional
        Where to report progress (one line per stage).
    seed : int, default 0
        Seed of the inputs' noise and of the shuffled order within rounds.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    warmup = QUICK_WARMUP if quick else WARMUP
    result: dict[str, Any] = {
        "machine": _machine(),
        "load_average_start": _loadavg(),
        "settings": {
            "sizes": list(sizes), "quick": quick, "warmup": warmup,
            "slow_seconds": SLOW_SECONDS, "slow_rounds": SLOW_ROUNDS,
            "very_slow_seconds": VERY_SLOW_SECONDS, "very_slow_rounds": VERY_SLOW_ROUNDS,
            "memory": "tracemalloc peak during one call (Python objects and numpy arrays; "
                      "C/C++ buffers of Agg, Pillow and deflate not traced)",
        },
        "labels": {**LABELS, **FIGURE_LABELS},
        "approaches": {},
        "skipped": {},
    }
    skipped: dict[str, str] = result["skipped"]
    result["settings"]["async_render"] = False
    approaches: dict[str, dict[str, Any]] = result["approaches"]
    pictures: dict[str, np.ndarray] = {}

    with tempfile.TemporaryDirectory(prefix="figwriter-bench-") as root:
        writers = _Writers(root)
        result["settings"]["async_render"] = writers.background is not None
        try:
            # one call of each on a tiny input first: imports, font and glyph caches
            _run_rounds(_main_approaches(writers, "prewarm", make_field(16, seed), skipped),
                        lambda k: make_field(16, seed), rounds=0, warmup=1, rng=rng,
                        skipped=skipped, measure_memory=False, progress=progress,
                        what="prewarm")
            for n in sizes:
                base = make_field(n, seed)
                rounds = _rounds_for(n, repeats, quick)
                what = f"{n}x{n}"
                _say(progress, f"{what}: warm-up, {rounds} rounds, memory")
                table = _main_approaches(writers, str(n), base, skipped)

                def make_input(k: int, base: np.ndarray = base) -> np.ndarray:
                    return base * np.float32(call_factor(k))

                measured = _run_rounds(table, make_input, rounds=rounds, warmup=warmup, rng=rng,
                                       skipped=skipped, progress=progress, what=what)
                for name, m in measured.items():
                    approaches.setdefault(name, {"label": LABELS[name], "sizes": {}})
                    approaches[name]["sizes"][str(n)] = {
                        "runs": len(m.times),
                        "median_ms": m.median_ms,
                        "times_ms": [round(1e3 * t, 4) for t in m.times],
                        "peak_bytes": m.peak_bytes,
                        "input_bytes": base.nbytes,
                    }
                if "fast" not in skipped:
                    try:
                        pictures[f"fast {n}x{n}"] = _fast_picture(base, key=f"encoders/{n}")
                    except Exception:  # pragma: no cover - skipped above already
                        pass
                del base

            _say(progress, "add_figure_png: warm-up, rounds, memory")
            figure_rounds = repeats or (QUICK_FIGURE_ROUNDS if quick else FIGURE_ROUNDS)
            fig, change = _bench_figure()
            own_canvas = fig.canvas
            fw, tbx = writers.fw, writers.tbx

            def make_figure_input(k: int) -> None:
                change(k)

            def draw(_: Any, step: int) -> None:
                fig.canvas.draw()

            def give_canvas_back() -> None:
                # add_figure leaves a canvas of its own on the figure: put the
                # figure's own back, so the floor always draws on the same canvas
                fig.set_canvas(own_canvas)

            def add_figure_png(_: Any, step: int) -> None:
                fw.add_figure_png("figure/add_figure_png", fig, step, close=False)

            def tbx_add_figure(_: Any, step: int) -> None:
                _use_agg()  # tensorboardX imports pyplot
                tbx.add_figure("figure/tbx_add_figure", fig, step, close=False)

            fig_table = [
                Approach("fig_draw", draw),
                Approach("fig_add_figure_png", add_figure_png),
                Approach("fig_tbx_add_figure", tbx_add_figure, after=give_canvas_back),
            ]
            measured = _run_rounds(fig_table, make_figure_input, rounds=figure_rounds,
                                   warmup=warmup, rng=rng, skipped=skipped, progress=progress,
                                   what="figure")
            width, height = (int(v) for v in fig.canvas.get_width_height())
            for name, m in measured.items():
                approaches[name] = {
                    "label": FIGURE_LABELS[name],
                    "sizes": {"figure": {
                        "runs": len(m.times), "median_ms": m.median_ms,
                        "times_ms": [round(1e3 * t, 4) for t in m.times],
                        "peak_bytes": m.peak_bytes, "input_bytes": None,
                    }},
                }
            result["figure"] = {"width": width, "height": height,
                                "description": "line plot (2000 points) beside a 128x128 "
                                               "imshow with a colour bar; not made with pyplot"}
            fig.canvas.draw()
            pictures[f"figure {width}x{height}"] = np.asarray(
                fig.canvas.buffer_rgba())[:, :, :3].copy()  # type: ignore[attr-defined]
        finally:
            writers.close()
        _say(progress, "PNG bytes from the event files")
        png_sizes = _image_sizes(root)

    for name, entry in approaches.items():
        for key, cell in entry["sizes"].items():
            tag = f"{name}/{key}" if key != "figure" else (
                "figure/add_figure_png" if name == "fig_add_figure_png"
                else "figure/tbx_add_figure" if name == "fig_tbx_add_figure" else None)
            found = png_sizes.get(tag or "", [])
            cell["png_bytes"] = int(statistics.median(found)) if found else None
    for n in sizes:
        cell = approaches.get("floor_png", {}).get("sizes", {}).get(str(n))
        if cell is not None and f"fast {n}x{n}" in pictures:
            from . import _png

            cell["png_bytes"] = len(_png.encode_png(pictures[f"fast {n}x{n}"]))

    _add_ratios(result)

    _say(progress, "PNG encoders")
    encoder_rounds = repeats or (QUICK_ENCODER_ROUNDS if quick else ENCODER_ROUNDS)
    result["encoders"] = _run_encoders(pictures, encoder_rounds, rng)

    result["targets"] = evaluate_targets(result)
    result["load_average_end"] = _loadavg()
    result["seconds"] = time.perf_counter() - started
    return result


def _median(result: dict[str, Any], name: str, key: str) -> float | None:
    cell = result["approaches"].get(name, {}).get("sizes", {}).get(key)
    return None if cell is None else float(cell["median_ms"])


def _add_ratios(result: dict[str, Any]) -> None:
    """Each cell's median over the reference's: figwriter fast, or for the figure
    table add_figure_png (``ratio``) and the draw floor (``ratio_draw``)."""
    for entry in result["approaches"].values():
        for key, cell in entry["sizes"].items():
            ref = _median(result, "fig_add_figure_png" if key == "figure" else "fast", key)
            cell["ratio"] = None if ref is None else cell["median_ms"] / ref
            if key == "figure":
                floor = _median(result, "fig_draw", key)
                cell["ratio_draw"] = None if floor is None else cell["median_ms"] / floor


# -- targets -----------------------------------------------------------------------------
def evaluate_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The performance targets of issues 3 and 4, evaluated on one run's medians.

    Each target: ``issue``, ``target`` (text), ``size``, ``value`` (the measured
    ratio or time), ``limit``, ``unit`` ("x faster", "x the floor", "ms"...),
    ``met`` (True, False, or None when not measured) and ``detail``.
    """
    targets: list[dict[str, Any]] = []

    def faster(issue: int, text: str, key: str, slow: str, fast: str, limit: float) -> None:
        a, b = _median(result, slow, key), _median(result, fast, key)
        value = None if a is None or b is None else a / b
        targets.append({
            "issue": issue, "target": text, "size": key, "value": value, "limit": limit,
            "unit": "x faster", "met": None if value is None else value >= limit,
            "detail": _detail(result, key, slow, fast, a, b),
        })

    def at_most(issue: int, text: str, key: str, ours: str, floor: str, limit: float) -> None:
        a, b = _median(result, ours, key), _median(result, floor, key)
        value = None if a is None or b is None else a / b
        targets.append({
            "issue": issue, "target": text, "size": key, "value": value, "limit": limit,
            "unit": "x the floor", "met": None if value is None else value <= limit,
            "detail": _detail(result, key, ours, floor, a, b),
        })

    # the sizes the issues name; a run without one reports its targets as not measured
    sizes = [str(n) for n in result["settings"]["sizes"]]
    headline, big = "256", "4096"
    faster(3, "fast vs the seed workaround", headline, "seed", "fast", 60.0)
    faster(3, "fast vs tensorboardX add_figure (imshow + colorbar)", headline,
           "tbx_add_figure", "fast", 40.0)
    faster(3, "fast vs tensorboardX add_image of the bare array", headline,
           "tbx_add_image", "fast", 2.0)
    at_most(3, "fast vs one nanmin + nanmax pass", big, "fast", "floor_minmax", 3.0)
    faster(3, "add_figure_png vs tensorboardX add_figure (same figure)", "figure",
           "fig_tbx_add_figure", "fig_add_figure_png", 1.3)
    at_most(3, "add_figure_png vs the figure's canvas.draw()", "figure",
            "fig_add_figure_png", "fig_draw", 1.15)
    faster(3, "renderer='matplotlib' (reused figure) vs add_figure (fresh figure)", headline,
           "tbx_add_figure", "matplotlib", 3.0)
    for key in sizes:
        ours = result["approaches"].get("fast", {}).get("sizes", {}).get(key, {})
        seed = result["approaches"].get("seed", {}).get("sizes", {}).get(key, {})
        a, b = ours.get("png_bytes"), seed.get("png_bytes")
        value = None if not a or not b else a / b
        targets.append({
            "issue": 3, "target": "fast PNG bytes vs the seed workaround's", "size": key,
            "value": value, "limit": 1.0, "unit": "x the seed's bytes",
            "met": None if value is None else value <= 1.0,
            "detail": "not measured" if value is None else f"{a:,} B vs {b:,} B",
        })
    if result["settings"].get("async_render"):
        key = "1024"
        t = _median(result, "background", key)
        targets.append({
            "issue": 4, "target": "async_render caller cost", "size": key, "value": t,
            "limit": 1.0, "unit": "ms", "met": None if t is None else t <= 1.0,
            "detail": _detail(result, key, "background", "background", t, t)
            if t is None else f"{t:.3f} ms median",
        })
        at_most(4, "async_render caller cost vs one nanmin + nanmax pass", big,
                "background", "floor_minmax", 1.0)
    return targets


def _detail(result: dict[str, Any], key: str, a_name: str, b_name: str,
            a: float | None, b: float | None) -> str:
    if key != "figure" and key not in {str(n) for n in result["settings"]["sizes"]}:
        return f"not measured (no {_size_name(key)} input in this run)"
    if a is None or b is None:
        missing = [n for n, v in ((a_name, a), (b_name, b)) if v is None]
        why = "; ".join(f"{n}: {result['skipped'].get(n, 'not run at this size')}"
                        for n in missing)
        return f"not measured ({why})"
    return f"{a_name} {_ms(a)} ms / {b_name} {_ms(b)} ms"


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 1 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _size_name(key: str) -> str:
    return f"{key}x{key}" if key.isdigit() else key


# -- reports -----------------------------------------------------------------------------
def _fmt_ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _fmt_int(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _fmt_mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.2f}"


def _main_rows(result: dict[str, Any], key: str) -> list[list[str]]:
    rows = []
    for name, label in LABELS.items():
        cell = result["approaches"].get(name, {}).get("sizes", {}).get(key)
        if cell is None:
            continue
        peak, size = cell["peak_bytes"], cell["input_bytes"]
        rows.append([
            label, str(cell["runs"]), _ms(cell["median_ms"]), _fmt_ratio(cell["ratio"]),
            _fmt_int(cell.get("png_bytes")), _fmt_mib(peak),
            "-" if peak is None or not size else _fmt_ratio(peak / size),
        ])
    return rows


MAIN_HEADER = ["approach", "runs", "median ms", "x fast", "PNG bytes", "peak MiB", "x input"]
FIGURE_HEADER = ["approach", "runs", "median ms", "x ours", "x draw", "PNG bytes", "peak MiB"]


def _figure_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, label in FIGURE_LABELS.items():
        cell = result["approaches"].get(name, {}).get("sizes", {}).get("figure")
        if cell is None:
            continue
        rows.append([label, str(cell["runs"]), _ms(cell["median_ms"]),
                     _fmt_ratio(cell["ratio"]), _fmt_ratio(cell.get("ratio_draw")),
                     _fmt_int(cell.get("png_bytes")), _fmt_mib(cell["peak_bytes"])])
    return rows


def _encoder_table(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    enc = result["encoders"]
    pictures = list(enc["pictures"])
    header = ["encoder"] + [f"{p} ({enc['pictures'][p]})" if not p.endswith(
        enc["pictures"][p]) else p for p in pictures] + ["time vs default", "bytes vs default"]
    rows = []
    for row in enc["rows"]:
        cells = [f"{_ms(row['pictures'][p]['median_ms'])} ms, "
                 f"{row['pictures'][p]['png_bytes'] / 1000:.1f} kB" for p in pictures]
        rows.append([row["encoder"], *cells, f"{row['time_vs_default']:.2f}",
                     f"{row['bytes_vs_default']:.2f}"])
    return header, rows


def _target_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for t in result["targets"]:
        status = "n/a" if t["met"] is None else "met" if t["met"] else "NOT met"
        if t["value"] is None:
            measured = "-"
        elif t["unit"] == "ms":
            measured = f"{t['value']:.3f} ms (target <= {t['limit']:g} ms)"
        elif t["unit"] == "x faster":
            measured = f"{_fmt_ratio(t['value'])}x faster (target >= {t['limit']:g}x)"
        else:
            measured = f"{t['value']:.2f}{t['unit']} (target <= {t['limit']:g}x)"
        rows.append([status, f"#{t['issue']} {_size_name(t['size'])}: {t['target']}",
                     measured, t["detail"]])
    return rows


def _text_table(header: list[str], rows: list[list[str]], left: int = 1,
                indent: str = "  ") -> str:
    """Fixed-width columns; the first ``left`` columns left-aligned, the others right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [c.ljust(w) if i < left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if i < left else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _machine_line(result: dict[str, Any]) -> str:
    m = result["machine"]
    v = m["versions"]
    versions = ", ".join(f"{k} {val}" for k, val in v.items() if val is not None)
    load = result.get("load_average_start"), result.get("load_average_end")
    load_text = "" if None in load else f"; load average {load[0]:.1f} at start, " \
                                        f"{load[1]:.1f} at end"
    return (f"{m['date']}, {m['platform']}, {m['cpus']} CPUs ({m['cpu']}), Python "
            f"{m['python']}; {versions}; PNG deflate: {m['png_backend']}{load_text}")


def _slow_rule(settings: dict[str, Any]) -> str:
    return (f"Approaches slower than {settings['slow_seconds']:g} s per call run at most "
            f"{settings['slow_rounds']} rounds ({settings.get('very_slow_rounds', '-')} "
            f"beyond {settings.get('very_slow_seconds', '-')} s).")


def format_report(result: dict[str, Any]) -> str:
    """The human-readable report: every table, the skipped approaches and the targets."""
    s = result["settings"]
    out = [f"figwriter bench: {_machine_line(result)}",
           f"Median of interleaved rounds after {s['warmup']} warm-up call(s); float32 input "
           "multiplied by a new factor every call (limits change every call). "
           + _slow_rule(s),
           "x fast: median / figwriter fast's median (how many times slower than figwriter "
           "fast). peak MiB: " + s["memory"] + "; x input: that peak over the input's size.",
           "PNG bytes: median size of the pictures written, read back from the event files.",
           ""]
    for n in s["sizes"]:
        key = str(n)
        rows = _main_rows(result, key)
        if rows:
            out.append(f"{n}x{n} float32 ({n * n * 4 / 2**20:.3g} MiB input)")
            out.append(_text_table(MAIN_HEADER, rows))
            out.append("")
    fig = result.get("figure")
    rows = _figure_rows(result)
    if fig and rows:
        out.append(f"add_figure_png on one reused {fig['width']}x{fig['height']} figure "
                   f"({fig['description']}); x ours: over add_figure_png, x draw: over the "
                   "draw floor")
        out.append(_text_table(FIGURE_HEADER, rows))
        out.append("")
    if result.get("encoders"):
        header, rows = _encoder_table(result)
        out.append(f"PNG encoders: median time and bytes per picture "
                   f"({result['encoders']['rounds']} interleaved rounds; every output decoded "
                   "by Pillow to the same pixels); vs default: geometric mean over the pictures")
        out.append(_text_table(header, rows))
        out.append("")
    for name, why in result["skipped"].items():
        out.append(f"skipped: {name}: {why}")
    if result["skipped"]:
        out.append("")
    out.append("Targets (reported, not enforced)")
    out.append(_text_table(["status", "target", "measured", "detail"], _target_rows(result),
                           left=4))
    out.append("")
    out.append(f"Total time {result['seconds']:.0f} s.")
    return "\n".join(out)


def format_markdown(result: dict[str, Any], command: str) -> str:
    """The generated section of ``docs/performance.md`` (without the markers)."""
    s = result["settings"]
    out = [f"_Generated by `{command}` on {_machine_line(result)}. Total time "
           f"{result['seconds']:.0f} s._", "",
           "### Colour-mapped arrays", "",
           f"Median of interleaved rounds after {s['warmup']} warm-up call(s). "
           + _slow_rule(s) + " **x fast** is how many times slower than figwriter's fast "
           "call.", ""]
    header = ["size", *MAIN_HEADER]
    rows = []
    for n in s["sizes"]:
        rows += [[f"{n}²", *r] for r in _main_rows(result, str(n))]
    out += [_md_table(header, rows, left=2), ""]
    fig = result.get("figure")
    rows = _figure_rows(result)
    if fig and rows:
        out += ["### `add_figure_png`", "",
                f"One reused {fig['width']}x{fig['height']} figure ({fig['description']}). "
                "**x ours** is over `add_figure_png`, **x draw** over the figure's own "
                "`canvas.draw()`.", "", _md_table(FIGURE_HEADER, rows), ""]
    if result.get("encoders"):
        header, rows = _encoder_table(result)
        out += ["### PNG encoders", "",
                "Median time and size per picture; every output decodes with Pillow to the "
                "same pixels. *vs default* is the geometric mean over the pictures of the "
                "ratio to figwriter's default encoder.", "", _md_table(header, rows), ""]
    if result["skipped"]:
        out += ["Skipped: " + "; ".join(f"`{k}`: {v}" for k, v in result["skipped"].items()),
                ""]
    out += ["### Targets", "", _md_table(["status", "target", "measured", "detail"],
                                         _target_rows(result), left=4), ""]
    return "\n".join(out)


def write_markdown(path: str, section: str) -> None:
    """Replace what lies between ``MARK_START`` and ``MARK_END`` in ``path``.

    A file that does not exist yet is created with just the markers and the section.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise ValueError(
            f"--markdown: {path} must contain the markers {MARK_START!r} and then "
            f"{MARK_END!r}; the generated section goes between them"
        )
    new = text[:start + len(MARK_START)] + "\n" + section.rstrip() + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)


def plot(result: dict[str, Any], path: str) -> None:
    """Save a log-log chart of median ms per approach against size as a PNG (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 5.0), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    sizes = [int(n) for n in result["settings"]["sizes"]]
    for name, label in LABELS.items():
        cells = result["approaches"].get(name, {}).get("sizes", {})
        xs = [n for n in sizes if str(n) in cells]
        if not xs:
            continue
        ys = [cells[str(n)]["median_ms"] for n in xs]
        ax.plot(xs, ys, marker="o", linestyle="--" if name in FLOORS else "-",
                linewidth=2.5 if name == "fast" else 1.5, color=_COLORS[name], label=label,
                zorder=3 if name == "fast" else 2)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{n}²" for n in sizes])
    ax.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
    ax.set_xlabel("input size (float32)")
    ax.set_ylabel("median ms per call (log scale; lower is better)")
    ax.grid(True, which="major", alpha=0.3)
    m = result["machine"]
    ax.set_title(f"figwriter bench, {m['cpus']} CPUs, {m['date']}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.savefig(path, format="png")


# -- command line ------------------------------------------------------------------------
def _sizes_arg(text: str) -> list[int]:
    out = []
    for part in text.replace(",", " ").split():
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"sizes must be integers separated by commas; got {text!r}") from None
        if n < 2:
            raise argparse.ArgumentTypeError(f"every size must be at least 2; got {n}")
        out.append(n)
    if not out:
        raise argparse.ArgumentTypeError("sizes must not be empty")
    return out


def build_parser() -> argparse.ArgumentParser:
    """The ``figwriter bench`` argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Benchmark logging colour-mapped arrays and figures to TensorBoard: the "
            "pyplot + savefig workaround, tensorboardX's add_figure and add_image, and "
            "figwriter's renderers, interleaved in one process; prints median times, "
            "ratios, PNG sizes, memory and the project's performance targets."
        ),
    )
    parser.add_argument("--quick", action="store_true",
                        help=f"a short run: sizes {','.join(map(str, QUICK_SIZES))} and "
                             f"{QUICK_ROUNDS} rounds")
    parser.add_argument("--sizes", type=_sizes_arg, default=None, metavar="N[,N...]",
                        help="sides of the square float32 inputs (default: "
                             f"{','.join(map(str, SIZES))})")
    parser.add_argument("--repeats", type=_positive_int, default=None, metavar="R",
                        help="rounds per table (default: by size, "
                             + ", ".join(f"{k}: {v}" for k, v in ROUNDS.items()) + ")")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the results, targets included, as JSON ('-' for "
                             "stdout; the report then goes to stderr)")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="save a log-log chart of median ms against size as a PNG")
    parser.add_argument("--markdown", metavar="FILE", default=None,
                        help=f"write the tables between the {MARK_START} and {MARK_END} "
                             "markers of this Markdown file (e.g. docs/performance.md)")
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    return parser


def _without_json(args: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--json":
            skip = True
        elif not arg.startswith("--json="):
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark from the command line; returns the exit status (0).

    Targets are reported, not enforced: the status is 0 whether they are met or not.

    Parameters
    ----------
    argv : list of str, optional
        Options, without the program name; default ``sys.argv[1:]``.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(args_list)
    sizes = args.sizes or list(QUICK_SIZES if args.quick else SIZES)
    report = sys.stderr if args.json == "-" else sys.stdout
    result = run_benchmark(sizes, quick=args.quick, repeats=args.repeats, progress=sys.stderr,
                           seed=args.seed)
    result["command"] = " ".join(["python -m figwriter bench", *map(shlex.quote, args_list)])
    # the page names the command that regenerates it; where the JSON went is no part of it
    command = " ".join(["python -m figwriter bench", *map(shlex.quote, _without_json(args_list))])
    print(format_report(result), file=report, flush=True)
    if args.plot:
        plot(result, args.plot)
        print(f"Saved the chart to {args.plot}.", file=report)
    if args.markdown:
        try:
            write_markdown(args.markdown, format_markdown(result, command))
        except (OSError, ValueError) as err:
            print(f"{PROG}: error: {err}", file=sys.stderr)
            return 1
        print(f"Wrote the tables into {args.markdown}.", file=report)
    if args.json:
        text = json.dumps(result, indent=1, allow_nan=False)
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(text + "\n")
    return 0
