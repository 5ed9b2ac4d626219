"""Importing and using figwriter leaves the process as it found it.

Each check runs in a fresh interpreter (``python -c``), since the test process
itself has pyplot imported and Agg forced by conftest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

#: Uses every figwriter method, with both renderers where the fast one exists,
#: then prints what it observed as JSON. ``USER_SETUP`` runs first.
_SCRIPT = """
import json, sys
USER_SETUP
import matplotlib
from matplotlib import colormaps

def snapshot():
    return {
        "backend": matplotlib.rcParams._get_backend_or_none(),
        "rc": {k: matplotlib.rcParams._get(k) for k in matplotlib.rcParams},
        "cmaps": sorted(colormaps),
        "viridis": colormaps["viridis"](
            [float("nan"), -1.0, 0.5, 2.0], bytes=True).tolist(),
        "fignums": (sys.modules["matplotlib.pyplot"].get_fignums()
                    if "matplotlib.pyplot" in sys.modules else None),
    }

before = snapshot()
pyplot_before = "matplotlib.pyplot" in sys.modules
import numpy as np
from matplotlib import colors
from matplotlib.figure import Figure
import figwriter
after_import = {"pyplot": "matplotlib.pyplot" in sys.modules}
try:
    from figwriter.render.fast import render_fast  # noqa: F401
    renderers = ["matplotlib", "fast"]
except ImportError:
    renderers = ["matplotlib"]

field = np.random.default_rng(0).normal(size=(24, 32))
field[3, 4] = np.nan
with figwriter.FigureSummaryWriter(sys.argv[1]) as w:
    fig = Figure(figsize=(2, 2), dpi=40)
    fig.subplots().plot([1, 3, 2])
    w.add_figure_png("fig", fig, 0)
    w.add_figure_png("fig", [fig, fig], 1, close=False, dpi=30)
    for r in renderers:
        w.add_colormapped_image("a", field, 0, renderer=r)
        w.add_colormapped_image("b", field, 0, renderer=r, center=0.0, title="t", label="l")
        w.add_colormapped_image("c", np.abs(field) + 0.1, 0, renderer=r, norm="log",
                                cmap="magma")
        w.add_colormapped_image("d", field, 0, renderer=r, norm=colors.PowerNorm(0.5,
                                vmin=0, vmax=2))
        w.add_colormapped_image("e", np.full((4, 4), np.nan), 0, renderer=r)
        if hasattr(w, "add_colormapped_images"):
            w.add_colormapped_images("f", [field, field * 2], 0, renderer=r)
    USER_FIGURE_CALLS
after = snapshot()
print(json.dumps({
    "renderers": renderers,
    "pyplot_before": pyplot_before,
    "after_import": after_import,
    "pyplot_after": "matplotlib.pyplot" in sys.modules,
    "tensorflow": sorted(m for m in sys.modules
                         if m == "tensorflow" or m.startswith("tensorflow.")),
    "backend": [before["backend"], after["backend"]],
    "rc_changed": sorted(k for k in before["rc"]
                         if repr(before["rc"][k]) != repr(after["rc"].get(k))),
    "cmaps_same": before["cmaps"] == after["cmaps"],
    "viridis_same": before["viridis"] == after["viridis"],
    "fignums": [before["fignums"], after["fignums"]],
    "user_result": globals().get("user_result"),
}))
"""


_PYPLOT_SETUP = """
    import matplotlib
    matplotlib.use("pdf")
    matplotlib.rcParams["lines.linewidth"] = 3.5
    import matplotlib.pyplot as plt
    first = plt.figure(figsize=(2, 2), dpi=30)
    second = plt.figure(figsize=(2, 2), dpi=30)
    plt.plot([1, 2])
"""

_PYPLOT_CALLS = """
    canvas = first.canvas
    w.add_figure_png("user", first, 0, close=False)
    w.add_figure_png("user", first, 1, close=False, dpi=60)
    w.add_figure_png("user", [first, second], 2, close=False)
    kept = plt.get_fignums()
    w.add_figure_png("user", second, 3)  # close=True: pyplot closes this one
    user_result = {
        "kept": kept,
        "after_close": plt.get_fignums(),
        "numbers": [first.number, second.number],
        "same_canvas": first.canvas is canvas,
        "dpi": first.dpi,
        "linewidth": matplotlib.rcParams["lines.linewidth"],
    }
"""

#: name -> (user set-up, user calls inside the writer block, extra environment)
_CASES = {
    "plain": ("", "", {}),
    "svg": ("", "", {"MPLBACKEND": "svg"}),
    "pyplot": (_PYPLOT_SETUP, _PYPLOT_CALLS, {}),
}


def _start(workdir, user_setup: str, user_calls: str, env: dict) -> subprocess.Popen:
    code = _SCRIPT.replace("USER_SETUP", textwrap.dedent(user_setup).strip() or "pass")
    code = code.replace(
        "USER_FIGURE_CALLS",
        textwrap.indent(textwrap.dedent(user_calls).strip() or "pass", "    ").lstrip(),
    )
    full_env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH")}
    full_env.update(env)
    return subprocess.Popen(
        [sys.executable, "-W", "error::DeprecationWarning:figwriter", "-c", code,
         str(workdir / "run")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env, cwd=workdir,
    )


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> dict:
    """Run every case in its own interpreter, all at once; name -> its JSON report."""
    procs = {}
    for name, (setup, calls, env) in _CASES.items():
        procs[name] = _start(tmp_path_factory.mktemp(name), setup, calls, env)
    results = {}
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results[name] = (proc.returncode, out, err)
    return results


def _report(observed: dict, name: str) -> dict:
    returncode, out, err = observed[name]
    assert returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _assert_untouched(out: dict) -> None:
    assert out["tensorflow"] == []
    assert out["backend"][0] == out["backend"][1]
    assert out["rc_changed"] == []
    assert out["cmaps_same"] and out["viridis_same"]


@pytest.mark.slow
def test_no_pyplot_no_tensorflow_no_global_state(observed):
    out = _report(observed, "plain")
    _assert_untouched(out)
    assert out["pyplot_before"] is False
    assert out["after_import"] == {"pyplot": False}
    assert out["pyplot_after"] is False
    assert out["backend"] == [None, None]  # the backend was not even resolved


@pytest.mark.slow
def test_a_backend_the_user_chose_is_kept(observed):
    out = _report(observed, "svg")
    _assert_untouched(out)
    assert out["backend"] == ["svg", "svg"]
    assert out["pyplot_after"] is False


@pytest.mark.slow
def test_pyplot_figure_list_unchanged_when_the_user_has_pyplot(observed):
    out = _report(observed, "pyplot")
    _assert_untouched(out)
    assert out["pyplot_before"] is True
    assert out["backend"] == ["pdf", "pdf"]
    first, second = out["user_result"]["numbers"]
    before, after = out["fignums"]
    assert before == [first, second]
    assert out["user_result"]["kept"] == [first, second]  # nothing added, nothing closed
    assert out["user_result"]["after_close"] == after == [first]
    assert out["user_result"]["same_canvas"] is True
    assert out["user_result"]["dpi"] == 30
    assert out["user_result"]["linewidth"] == 3.5


def test_import_figwriter_alone_loads_no_writer_stack():
    """``import figwriter`` is cheap: tensorboardX, torch and matplotlib load on first use."""
    code = (
        "import sys, figwriter\n"
        "heavy = [m for m in ('tensorboardX', 'torch', 'matplotlib', 'tensorflow')"
        " if m in sys.modules]\n"
        "assert heavy == [], heavy\n"
        "assert 'FigureSummaryWriter' in dir(figwriter)\n"
        "cls = figwriter.FigureSummaryWriter\n"
        "assert cls.__name__ == 'FigureSummaryWriter' and 'tensorboardX' in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
