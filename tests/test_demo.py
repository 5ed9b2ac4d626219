"""The command line: ``python -m figwriter demo`` writes a run TensorBoard reads back."""

from __future__ import annotations

import importlib.util
import io
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

from figwriter import _demo
from figwriter.__main__ import main

from ._readback import read_images, read_scalars

FIELD_TAGS = {"heat/temperature", "wave/height", "wave/spectrum", "tracer/concentration",
              "audio/mel_spectrogram", "classifier/confusion_matrix", "transformer/attention",
              "explain/grad_cam"}
BATCH_TAG = "surrogate/prediction_target_error"
FIGURE_TAG = "surrogate/loss_curve"
SCALAR_TAGS = {
    "surrogate/train_loss",
    "surrogate/rollout_rmse",
    "heat/max_temperature",
    "heat/mean_temperature",
    "wave/energy",
    "tracer/mass",
}


def _has_batch() -> bool:
    from figwriter import FigureSummaryWriter

    return hasattr(FigureSummaryWriter, "add_colormapped_images")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _check_run(logdir: str, steps: int, *, batch: bool) -> None:
    images = read_images(logdir)
    expected = FIELD_TAGS | {FIGURE_TAG} | ({BATCH_TAG} if batch else set())
    assert set(images) == expected
    for tag, events in images.items():
        assert [e.step for e in events] == list(range(steps)), tag
        for event in events:
            pixels = event.pixels
            assert pixels.shape[:2] == (event.height, event.width), tag
            assert pixels.shape[2] == 3, tag
            assert pixels.std() > 0, f"{tag} at step {event.step} is blank"
        # the canvas does not change size between steps
        assert len({(e.width, e.height) for e in events}) == 1, tag
    figure = images[FIGURE_TAG][0]
    assert (figure.width, figure.height) == (700, 300)  # 7 x 3 inches at 100 dpi

    scalars = read_scalars(logdir)
    assert set(scalars) == SCALAR_TAGS
    for tag, events in scalars.items():
        assert [step for step, _, _ in events] == list(range(steps)), tag
        assert all(np.isfinite(value) for _, _, value in events), tag
    losses = [value for _, _, value in scalars["surrogate/train_loss"]]
    assert steps == 1 or losses[-1] < losses[0]
    temperatures = [value for _, _, value in scalars["heat/mean_temperature"]]
    assert temperatures == sorted(temperatures)  # the sources only add heat


def test_demo_in_process_writes_every_tag_at_every_step(tmp_path, capsys):
    logdir = str(tmp_path / "demo")
    assert main(["demo", "--logdir", logdir, "--steps", "3"]) == 0
    _check_run(logdir, 3, batch=_has_batch())
    out, err = capsys.readouterr()
    assert f"Wrote 3 steps to {logdir}" in out
    assert f"tensorboard --logdir {logdir} --samples_per_plugin images=1000" in out
    assert "http://localhost:6006/" in out
    assert "; TensorBoard shows 10 per tag otherwise)" in out
    assert "removed" not in out  # nothing to remove in a new logdir
    assert "step 3/3" in err  # progress goes to stderr


def _raw_image_steps(logdir: str) -> dict[str, list[int]]:
    """tag -> steps of every image event in every event file, duplicates kept."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(logdir, size_guidance={"images": 0}, purge_orphaned_data=False)
    acc.Reload()
    return {tag: [e.step for e in acc.Images(tag)] for tag in acc.Tags()["images"]}


def test_a_second_demo_run_replaces_the_first(tmp_path, capsys):
    logdir = tmp_path / "demo"
    logdir.mkdir()
    (logdir / "notes.txt").write_text("mine")
    (logdir / "other").mkdir()  # another run beside the demo's stays
    (logdir / "other" / "events.out.tfevents.1.host.figwriter-demo").write_bytes(b"")
    assert main(["demo", "--logdir", str(logdir), "--steps", "2", "--quiet"]) == 0
    first = sorted(p.name for p in logdir.glob("events.out.tfevents.*"))
    assert "removed" not in capsys.readouterr().out
    assert main(["demo", "--logdir", str(logdir), "--steps", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert (f"A fresh run: removed 1 event file of an earlier demo run from {logdir}."
            in out)
    second = sorted(p.name for p in logdir.glob("events.out.tfevents.*"))
    assert len(first) == len(second) == 1
    assert second[0].endswith(_demo.EVENT_SUFFIX)
    steps = _raw_image_steps(str(logdir))
    assert set(steps) >= FIELD_TAGS
    for tag, seen in steps.items():
        assert seen == [0, 1], tag  # each step once, not once per run
    assert (logdir / "notes.txt").read_text() == "mine"
    assert (logdir / "other" / "events.out.tfevents.1.host.figwriter-demo").exists()


def test_remove_earlier_runs_of_a_missing_logdir_is_nothing(tmp_path):
    assert _demo.remove_earlier_runs(tmp_path / "absent") == []


def test_demo_with_the_matplotlib_renderer(tmp_path, capsys):
    logdir = str(tmp_path / "demo")
    assert main(["demo", "--logdir", logdir, "--steps", "1", "--renderer", "matplotlib",
                 "--quiet"]) == 0
    _check_run(logdir, 1, batch=_has_batch())
    assert "Wrote 1 step to" in capsys.readouterr().out


def test_demo_as_a_subprocess(tmp_path):
    logdir = str(tmp_path / "demo run")  # a space: the printed command quotes it
    result = subprocess.run(
        [sys.executable, "-m", "figwriter", "demo", "--logdir", logdir, "--steps", "2"],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path),
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    assert f"tensorboard --logdir '{logdir}'" in result.stdout
    assert "step 1/2" in result.stderr and "step 2/2" in result.stderr
    _check_run(logdir, 2, batch=_has_batch())


def test_demo_never_imports_pyplot_or_tensorflow(tmp_path):
    code = (
        "import sys\n"
        "from figwriter._demo import run_demo\n"
        f"run_demo({str(tmp_path / 'run')!r}, 1)\n"
        "print('matplotlib.pyplot' in sys.modules, 'tensorflow' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_demo_works_without_the_batch_method(tmp_path, monkeypatch):
    from figwriter import FigureSummaryWriter

    for klass in FigureSummaryWriter.__mro__:
        if "add_colormapped_images" in vars(klass):
            monkeypatch.delattr(klass, "add_colormapped_images")
    logdir = str(tmp_path / "demo")
    assert main(["demo", "--logdir", logdir, "--steps", "2", "--quiet"]) == 0
    _check_run(logdir, 2, batch=False)


def test_serve_without_tensorboard_names_the_viewer_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard fails
    logdir = tmp_path / "demo"
    assert main(["demo", "--logdir", str(logdir), "--steps", "1", "--serve"]) == 1
    err = capsys.readouterr().err
    assert "--serve needs TensorBoard, which is not installed" in err
    assert 'pip install "figwriter[viewer]" (from a clone: pip install -e ".[viewer]")' in err
    assert not logdir.exists()  # refused before writing anything


def test_require_tensorboard_chains_the_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(ImportError, match=r'pip install "figwriter\[viewer\]"') as info:
        _demo.require_tensorboard()
    assert isinstance(info.value.__cause__, ImportError)


def test_serve_starts_tensorboard_on_localhost(tmp_path, monkeypatch, capsys):
    calls = []

    class FakeProcess:
        def __init__(self, command):
            calls.append(command)

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(_demo.subprocess, "Popen", FakeProcess)
    port = _free_port()
    logdir = str(tmp_path / "demo")
    rc = main(["demo", "--logdir", logdir, "--steps", "1", "--serve", "--port", str(port),
               "--quiet"])
    assert rc == 0
    assert calls == [[sys.executable, "-m", "tensorboard.main", "--logdir", logdir,
                      "--host", "127.0.0.1", "--port", str(port),
                      "--samples_per_plugin", "images=1000"]]
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}/" in out
    assert "--samples_per_plugin images=1000 keeps every step's picture" in out
    assert set(read_images(logdir)) >= FIELD_TAGS


def test_serve_stops_tensorboard_on_ctrl_c(monkeypatch, tmp_path):
    events = []

    class FakeProcess:
        def __init__(self, command):
            pass

        def wait(self, timeout=None):
            if not events:
                events.append("wait")
                raise KeyboardInterrupt
            events.append("reaped")
            return -15

        def terminate(self):
            events.append("terminate")

    monkeypatch.setattr(_demo.subprocess, "Popen", FakeProcess)
    before = signal.getsignal(signal.SIGTERM)
    assert _demo.serve(str(tmp_path), 6006, stream=io.StringIO()) == 0
    assert events == ["wait", "terminate", "reaped"]
    assert signal.getsignal(signal.SIGTERM) is before  # SIGTERM stops TensorBoard only meanwhile


def test_serve_on_a_busy_port_says_so(tmp_path, capsys):
    import tensorboard  # noqa: F401  (the test extra installs it; --serve needs it)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rc = main(["demo", "--logdir", str(tmp_path / "demo"), "--steps", "1", "--serve",
                   "--port", str(port)])
    assert rc == 1
    assert f"port {port} on 127.0.0.1 is not free" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--steps", "0"], "expected a positive integer; got 0"),
        (["demo", "--steps", "many"], "expected a positive integer; got 'many'"),
        (["demo", "--port", "70000"], "expected a port number from 1 to 65535; got 70000"),
        (["demo", "--renderer", "svg"], "invalid choice: 'svg'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_help_as_a_subprocess():
    result = subprocess.run([sys.executable, "-m", "figwriter", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: figwriter" in result.stdout
    assert "demo" in result.stdout and "bench" not in result.stdout


def test_demo_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--logdir", "--steps", "--renderer", "--serve", "--port", "--quiet"):
        assert option in out
    assert "figwriter[viewer]" in out


def test_bench_points_to_the_benchmark_script(capsys):
    assert main(["bench", "--quick", "--json", "out file.json"]) == 2
    assert ("the benchmark is not part of the installed package; from a source checkout of "
            "figwriter run: python benchmarks/run.py --quick --json 'out file.json'"
            ) in capsys.readouterr().err


def test_the_package_ships_no_benchmark():
    assert importlib.util.find_spec("figwriter._bench") is None
    assert not any(name.startswith("figwriter._bench") for name in sys.modules)


def test_bench_help_is_not_the_demo(capsys):
    assert main(["bench", "--help"]) == 2
    err = capsys.readouterr().err
    assert "python benchmarks/run.py --help" in err


@pytest.mark.parametrize(
    ("steps", "error", "message"),
    [(0, ValueError, "steps must be at least 1; got 0"),
     (True, TypeError, "steps must be an int; got bool"),
     (2.5, TypeError, "steps must be an int; got float")],
)
def test_run_demo_checks_steps(tmp_path, steps, error, message):
    with pytest.raises(error, match=message):
        _demo.run_demo(str(tmp_path / "demo"), steps)
    assert not (tmp_path / "demo").exists()


def test_progress_is_one_line_per_step_off_a_terminal():
    stream = io.StringIO()
    bar = _demo._Progress(2, stream)
    bar.update(1, "loss 1")
    bar.update(2, "loss 2")
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[:2] for line in lines] == [["step 1/2", "loss 1"],
                                                        ["step 2/2", "loss 2"]]


def test_progress_is_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = _demo._Progress(4, stream)
    bar.update(2, "x")
    bar.update(4, "y")
    text = stream.getvalue()
    assert text.startswith("\r[" + "#" * 12 + "-" * 12 + "] step 2/4")
    assert "\r[" + "#" * 24 + "] step 4/4" in text and text.endswith("\n")


def test_simulations_are_stable_and_physical():
    plate = _demo.HeatPlate(size=40)
    plate.advance(400)
    assert np.all(np.isfinite(plate.u)) and plate.u.min() >= 0
    assert plate.temperature.min() >= _demo.AMBIENT_C
    pond = _demo.Ripples(size=48)
    for _ in range(30):
        pond.advance()
    assert np.all(np.abs(pond.u) < 2.0)  # leapfrog within its Courant limit stays bounded
    tracer = _demo.PorousTracer(shape=(30, 45))
    tracer.advance(2000)
    c = tracer.concentration
    assert np.isnan(c[tracer.solid]).all()
    assert np.nanmin(c) >= 0 and np.nanmax(c) <= 1
    with pytest.raises(ValueError, match=r"r must be in \(0, 0.25\] for a stable scheme"):
        _demo.HeatPlate(r=0.3)
    with pytest.raises(ValueError, match="courant must be in"):
        _demo.Ripples(courant=0.9)
    with pytest.raises(ValueError, match=r"r must be in \(0, 0.25\]"):
        _demo.PorousTracer(r=0.0)


def test_the_surrogate_learns_the_solver_stencil():
    model = _demo.StencilSurrogate(r=0.2, seed=1)
    for _ in range(150):
        model.train()
    expected = np.array([[0, 0.2, 0], [0.2, 0.2, 0.2], [0, 0.2, 0]])
    np.testing.assert_allclose(model.w.reshape(3, 3), expected, atol=5e-3)


# -- the README and the docs describe what the package does ----------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLIC_METHODS = ("add_colormapped_image", "add_colormapped_images", "add_figure_png")


def _read(*parts: str) -> str:
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def _table_section(markdown: str, method: str) -> str:
    """The text from a method's heading to the next heading."""
    import re

    match = re.search(rf"^#+ `{method}\(.*?(?=^#)", markdown, flags=re.DOTALL | re.MULTILINE)
    assert match, f"no section for {method}"
    return match.group(0)


@pytest.mark.parametrize("page", [("README.md",), ("docs", "api.md")])
@pytest.mark.parametrize("method", PUBLIC_METHODS)
def test_every_parameter_has_a_row_in_the_tables(page, method):
    import inspect

    from figwriter import FigureSummaryWriter

    assert hasattr(FigureSummaryWriter, method), f"{method} is documented but missing"
    section = _table_section(_read(*page), method)
    parameters = [p for p in inspect.signature(getattr(FigureSummaryWriter, method)).parameters
                  if p != "self"]
    missing = [p for p in parameters if f"| `{p}` |" not in section]
    assert not missing, f"{'/'.join(page)} has no row for {method}({', '.join(missing)})"
    rows = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    extra = [row for row in rows if row not in parameters]
    assert not extra, f"{'/'.join(page)} documents parameters {method} does not take: {extra}"


@pytest.mark.parametrize("page", [("README.md",), ("docs", "api.md")])
def test_constructor_keywords_have_rows(page):
    import inspect

    from figwriter import FigureSummaryWriter

    section = _read(*page).split("FigureSummaryWriter(...)`", 1)[1].split("\n#", 1)[0]
    own = [name for name, p in inspect.signature(FigureSummaryWriter.__init__).parameters.items()
           if p.kind is inspect.Parameter.KEYWORD_ONLY]
    for name in own:
        assert f"| `{name}` |" in section, name


def test_readme_setup_commands():
    readme = _read("README.md")
    assert ('python -m venv .venv && . .venv/bin/activate && pip install -e ".[viewer]" '
            "&& python -m figwriter demo --serve") in readme
    install = '-c constraints.txt -e ".[test]"'
    assert ("python -m venv .venv && . .venv/bin/activate && "
            f"pip install {install} && python -m pytest") in readme
    # CI runs the README's test install, and the pin lives in constraints.txt alone
    ci = _read(".ci", "run")
    assert f"python -m pip install -q {install}" in ci
    pins = [line for line in _read("constraints.txt").splitlines()
            if line.startswith("torch==")]
    assert len(pins) == 1, pins
    for text in (readme, ci, _read("pyproject.toml")):
        assert "torch==" not in text


def test_readme_picture_and_links_exist():
    import re

    readme = _read("README.md")
    targets = re.findall(r"\]\(((?:docs/)[^)#]+)\)", readme)
    assert any(t.endswith(".png") for t in targets)
    # pages the docs engineers own may land later; the pictures must be here
    for target in targets:
        if target.endswith(".png"):
            assert os.path.isfile(os.path.join(ROOT, target)), target
