"""The real TensorBoard, started on a figwriter run, for end-to-end tests.

Helpers (the test modules wrap them in fixtures):

- :func:`write_runs` logs a few steps of every figure method with each writer
  class, one run per class, and returns what was written (read back from the
  event files);
- :func:`write_demo_run` writes the demo run (``python -m figwriter demo``);
- :class:`TensorBoard` starts ``python -m tensorboard.main`` on 127.0.0.1 with
  ``--port 0``, reads the port it chose from its output, fetches with urllib,
  and stops it by its pid (terminate, then kill);
- :func:`need_browser` finds Chromium and Playwright, or skips (fails in CI).

Used by tests/test_tensorboard_http.py, tests/test_browser.py and
scripts/screenshot.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._readback import ImageEvent, read_images

__all__ = [
    "BROWSER_FLAGS",
    "CHROMIUM",
    "STEPS",
    "TAGS",
    "Response",
    "TensorBoard",
    "TensorBoardError",
    "browser_missing",
    "launch_chromium",
    "need_browser",
    "show_image_cards",
    "writer_classes",
    "write_demo_run",
    "write_runs",
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: Debian's Chromium; Playwright drives it (no browser download).
CHROMIUM = "/usr/bin/chromium"
#: What Chromium needs on a closed, screenless machine (with a fresh user-data-dir).
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: Steps logged per tag by :func:`write_runs`.
STEPS = (0, 1, 2)
#: Tag -> the figure method that logs it in :func:`write_runs`.
TAGS = {
    "figure": "add_figure_png",
    "field": "add_colormapped_image",
    "field_matplotlib": "add_colormapped_image",
    "batch": "add_colormapped_images",
}

#: the ``description=`` the "field_matplotlib" tag is logged with (the others get the default)
FIELD_MATPLOTLIB_DESCRIPTION = "Drawn by **matplotlib**: see `renderer=`."

# -- writing runs ----------------------------------------------------------------------


def writer_classes() -> dict[str, type]:
    """Run name -> FigureSummaryWriter class: tensorboardX's, and torch's if installed."""
    from figwriter import FigureSummaryWriter

    classes: dict[str, type] = {"tensorboardX": FigureSummaryWriter}
    if importlib.util.find_spec("torch") is not None:
        from figwriter.torch import FigureSummaryWriter as TorchFigureSummaryWriter

        classes["torch"] = TorchFigureSummaryWriter
    return classes


def _figure(step: int):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.2, 2.4), dpi=50)
    ax = fig.subplots()
    x = np.linspace(0.0, 6.0, 50)
    ax.plot(x, np.sin(x + step))
    ax.set_title(f"step {step}")
    return fig


def write_runs(logdir: str | os.PathLike[str],
               classes: dict[str, type] | None = None) -> dict[str, dict[str, list[ImageEvent]]]:
    """Log :data:`STEPS` of every tag in :data:`TAGS`, one run per writer class.

    Tags whose method a writer does not have are left out. Returns run -> tag ->
    the image events as written (read back from the run's event file).
    """
    classes = writer_classes() if classes is None else classes
    rng = np.random.default_rng(5)
    written: dict[str, dict[str, list[ImageEvent]]] = {}
    for run, cls in classes.items():
        run_dir = os.path.join(os.fspath(logdir), run)
        with cls(run_dir) as writer:
            for step in STEPS:
                walltime = 1_700_000_000.0 + step
                field = rng.normal(size=(48, 64)).cumsum(axis=1)
                writer.add_figure_png("figure", _figure(step), step, True, walltime)
                writer.add_colormapped_image("field", field, step, walltime, center=0.0,
                                             title=f"step {step}", label="value")
                writer.add_colormapped_image("field_matplotlib", field, step, walltime,
                                             renderer="matplotlib",
                                             description=FIELD_MATPLOTLIB_DESCRIPTION)
                if hasattr(writer, "add_colormapped_images"):
                    writer.add_colormapped_images("batch", np.stack([field, -field, field**2]),
                                                  step, walltime)
        written[run] = read_images(run_dir)
    return written


def demo_available() -> bool:
    """Whether ``python -m figwriter demo`` exists in this checkout."""
    return importlib.util.find_spec("figwriter._demo") is not None and (
        importlib.util.find_spec("figwriter.__main__") is not None
    )


def write_demo_run(logdir: str | os.PathLike[str], steps: int = 4,
                   timeout: float = 600.0) -> dict[str, list[ImageEvent]]:
    """Write the demo run into ``logdir`` and return its image events by tag.

    Runs ``python -m figwriter demo --logdir D --steps N -q``; where the demo
    command is not there, writes a small stand-in run (every figure method).
    """
    logdir = os.fspath(logdir)
    if demo_available():
        env = dict(os.environ, MPLBACKEND="Agg")
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        command = [sys.executable, "-m", "figwriter", "demo", "--logdir", logdir,
                   "--steps", str(steps), "-q"]
        result = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command[1:])} exited with status {result.returncode}:\n"
                f"{result.stderr}"
            )
        return read_images(logdir)
    from figwriter import FigureSummaryWriter

    runs = write_runs(os.path.join(logdir, "x"), {".": FigureSummaryWriter})
    return runs["."]


# -- the server ------------------------------------------------------------------------

_LISTENING = re.compile(r"TensorBoard \S+ at (http://127\.0\.0\.1:(\d+)/)")


class TensorBoardError(RuntimeError):
    """TensorBoard did not start, or did not show the data in time."""


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        assert self.content_type.startswith("application/json"), self.content_type
        return json.loads(self.body.decode("utf-8"))


class TensorBoard:
    """``python -m tensorboard.main --logdir D --host 127.0.0.1 --port 0``, as a context.

    ``--load_fast=false`` keeps TensorBoard in one process (no separate data
    server), so stopping its pid stops everything; ``--samples_per_plugin``
    keeps every image step instead of a sample of 10.

    Examples
    --------
    >>> with TensorBoard(logdir) as tb:  # doctest: +SKIP
    ...     tb.get_json("/data/plugin/images/tags")
    """

    def __init__(self, logdir: str | os.PathLike[str], *, start_timeout: float = 90.0,
                 extra_args: Sequence[str] = (), cwd: str | os.PathLike[str] | None = None,
                 ) -> None:
        self.logdir = os.fspath(logdir)
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.extra_args = tuple(extra_args)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.port = 0
        self._lines: list[str] = []
        self._found = threading.Event()
        self._reader: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------
    def __enter__(self) -> TensorBoard:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def output(self) -> str:
        """Everything TensorBoard printed so far (stdout and stderr)."""
        return "".join(self._lines)

    def start(self) -> None:
        """Start TensorBoard and wait until it says which port it listens on."""
        command = [
            sys.executable, "-m", "tensorboard.main",
            "--logdir", self.logdir, "--host", "127.0.0.1", "--port", "0",
            "--load_fast=false", "--samples_per_plugin=images=1000",
            *self.extra_args,
        ]
        env = dict(os.environ)
        env.pop("PYTHONWARNINGS", None)  # TensorBoard's own imports warn; not ours to judge
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, cwd=self.cwd,
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True,
                                        name="tensorboard-output")
        self._reader.start()
        try:
            deadline = time.monotonic() + self.start_timeout
            while not self._found.wait(0.1):
                if self.process.poll() is not None:
                    raise TensorBoardError(
                        f"TensorBoard exited with status {self.process.returncode} before "
                        f"listening:\n{self.output}"
                    )
                if time.monotonic() > deadline:
                    raise TensorBoardError(
                        f"TensorBoard did not report its port within {self.start_timeout} s:"
                        f"\n{self.output}"
                    )
        except BaseException:
            self.stop()
            raise

    def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace")
            self._lines.append(line)
            match = _LISTENING.search(line)
            if match and not self._found.is_set():
                self.url, self.port = match.group(1).rstrip("/"), int(match.group(2))
                self._found.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop TensorBoard by its pid: terminate, then kill if it lingers."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        if process.stdout is not None:
            process.stdout.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- HTTP --------------------------------------------------------------------------
    def get(self, path: str, timeout: float = 30.0) -> Response:
        """GET ``path`` (with its query) from the server; HTTP errors are returned too."""
        if not self.url:
            raise TensorBoardError("TensorBoard is not running")
        request = urllib.request.Request(self.url + path, headers={"Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return Response(reply.status, reply.headers.get("Content-Type", ""),
                                reply.read())
        except urllib.error.HTTPError as err:
            with err:
                return Response(err.code, err.headers.get("Content-Type", ""), err.read())

    def get_json(self, path: str) -> Any:
        response = self.get(path)
        if response.status != 200:
            raise TensorBoardError(f"GET {path}: HTTP {response.status}: {response.body[:200]!r}")
        return response.json()

    def image_tags(self) -> dict[str, dict[str, Any]]:
        """``/data/plugin/images/tags``: run -> tag -> {displayName, description, samples}."""
        return self.get_json("/data/plugin/images/tags")

    def images(self, run: str, tag: str) -> list[dict[str, Any]]:
        """``/data/plugin/images/images``: [{wall_time, step, query}] for one run and tag."""
        query = urllib.parse.urlencode({"run": run, "tag": tag})
        return self.get_json(f"/data/plugin/images/images?{query}")

    def individual_image(self, query: str) -> Response:
        """``/data/plugin/images/individualImage?<query>``, the query as ``images`` gave it."""
        return self.get(f"/data/plugin/images/individualImage?{query}")

    def wait_for_images(self, expected: dict[str, Iterable[str]],
                        timeout: float = 90.0) -> dict[str, dict[str, Any]]:
        """Poll the tags route until every run shows every expected tag, with all steps.

        TensorBoard loads event files in the background after it starts listening.
        ``expected`` maps run -> tags, or run -> {tag: number of steps}.
        """
        deadline = time.monotonic() + timeout
        while True:
            tags: dict[str, dict[str, Any]] = {}
            try:
                tags = self.image_tags()
                if all(self._loaded(tags, run, want) for run, want in expected.items()):
                    return tags
            except (OSError, TensorBoardError):
                pass
            if not self.running:
                raise TensorBoardError(f"TensorBoard exited:\n{self.output}")
            if time.monotonic() > deadline:
                raise TensorBoardError(
                    f"TensorBoard did not show {expected} within {timeout} s; it shows "
                    f"{ {run: sorted(t) for run, t in tags.items()} }\n{self.output}"
                )
            time.sleep(0.25)

    def _loaded(self, tags: dict[str, dict[str, Any]], run: str, want: Iterable[str]) -> bool:
        if run not in tags or not set(want) <= set(tags[run]):
            return False
        if isinstance(want, dict):
            return all(len(self.images(run, tag)) >= n for tag, n in want.items())
        return True


# -- the browser -----------------------------------------------------------------------


def browser_missing() -> str | None:
    """Why no browser test can run here, or None when Chromium and Playwright are there."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append('the playwright package is not installed (pip install -e ".[browser]")')
    return "; ".join(missing) or None


def need_browser() -> None:
    """Skip the calling test when there is no browser, or fail when running in CI."""
    import pytest

    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser test needs a browser: {reason} (in CI, with CI set, this fails)")


def launch_chromium(playwright: Any, user_data_dir: str | os.PathLike[str], *,
                    width: int = 1400, height: int = 900) -> Any:
    """Debian's Chromium, headless, with a fresh profile: a Playwright BrowserContext."""
    return playwright.chromium.launch_persistent_context(
        os.fspath(user_data_dir),
        executable_path=CHROMIUM,
        headless=True,
        args=list(BROWSER_FLAGS),
        viewport={"width": width, "height": height},
    )


# What an image card (tf-image-loader) shows: its run, tag and step, and the <img>
# the card put in place once the picture loaded or failed.
_CARDS_JS = """loaders => loaders.map(card => {
    const img = card.shadowRoot
        ? card.shadowRoot.querySelector('#main-image-container img') : null;
    return {
        run: card.run, tag: card.tag,
        step: card._stepValue === undefined ? null : card._stepValue,
        loading: Boolean(card._isImageLoading),
        has_img: img !== null,
        complete: img ? img.complete : false,
        natural_width: img ? img.naturalWidth : 0,
        natural_height: img ? img.naturalHeight : 0,
        src: img ? img.src : null,
    };
})"""


def _expand_categories(page: Any) -> int:
    """Open every collapsed tag group of the images dashboard; return how many."""
    opened = 0
    views = page.locator("tf-category-paginated-view")
    for i in range(views.count()):
        view = views.nth(i)
        collapse = view.locator("iron-collapse")
        heading = view.locator("button.heading")
        if collapse.count() == 0 or heading.count() == 0:
            continue  # the (hidden) search-results pane
        if not collapse.first.evaluate("e => Boolean(e.opened)"):
            heading.first.scroll_into_view_if_needed()
            heading.first.click()
            opened += 1
    return opened


def show_image_cards(page: Any, url: str, expected: int,
                     timeout: float = 90.0) -> list[dict[str, Any]]:
    """Open TensorBoard's images dashboard and wait until ``expected`` cards show a picture.

    Opens every collapsed tag group, scrolls each card into view, and waits until
    each has put its ``<img>`` in place (loaded or failed). Returns, per card,
    its run, tag, step, and the image's ``complete``, ``natural_width``,
    ``natural_height`` and ``src``.
    """
    page.goto(url.rstrip("/") + "/#images")
    page.wait_for_selector("tf-image-dashboard", state="attached", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    cards: list[dict[str, Any]] = []
    while True:
        _expand_categories(page)
        loaders = page.locator("tf-image-loader")
        for i in range(loaders.count()):
            loaders.nth(i).scroll_into_view_if_needed()
        cards = loaders.evaluate_all(_CARDS_JS)
        if len(cards) >= expected and all(c["has_img"] and not c["loading"] for c in cards):
            break
        if time.monotonic() > deadline:
            raise TensorBoardError(
                f"the images dashboard showed {len(cards)} of {expected} cards "
                f"within {timeout} s: {cards}"
            )
        page.wait_for_timeout(250)
    page.evaluate("() => window.scrollTo(0, 0)")
    return cards
