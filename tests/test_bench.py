"""The benchmark (``python benchmarks/run.py``): a tiny smoke run, its outputs, and the
pure helpers.

No timing assertions: the benchmark reports targets, the tests only check that it
measures every approach and writes what it promises.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks import common, report, run, training

ALL_APPROACHES = set(common.LABELS) | set(common.FIGURE_LABELS)


def _fast_renderer_available() -> bool:
    try:
        from figwriter.render.fast import render_fast  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """One reduced ``--quick`` run (a 16x16 input, two rounds) with every output."""
    out = tmp_path_factory.mktemp("bench")
    paths = {"json": out / "bench.json", "plot": out / "bench.png", "md": out / "perf.md"}
    paths["md"].write_text(
        f"# Performance\n\nprose before\n\n{common.MARK_START}\nold\n{common.MARK_END}\n\n"
        "prose after\n", encoding="utf-8")
    status = run.main([
        "--quick", "--sizes", "16", "--repeats", "2", "--training-side", "48",
        "--json", str(paths["json"]),
        "--plot", str(paths["plot"]), "--markdown", str(paths["md"]),
    ])
    result = json.loads(paths["json"].read_text(encoding="utf-8"))
    return status, result, paths


def test_smoke_run_measures_every_approach(smoke_run):
    status, result, _ = smoke_run
    assert status == 0
    measured, skipped = set(result["approaches"]), set(result["skipped"])
    assert measured | skipped == ALL_APPROACHES
    assert not measured & skipped
    for name, entry in result["approaches"].items():
        for key, cell in entry["sizes"].items():
            assert cell["median_ms"] > 0, (name, key)
            assert cell["runs"] == len(cell["times_ms"]) >= 1, (name, key)
            assert all(t > 0 for t in cell["times_ms"]), (name, key)
    # the approaches that need nothing still in progress are always measured
    always = {"seed", "tbx_add_figure", "tbx_add_image", "matplotlib", "floor_minmax",
              "fig_draw", "fig_add_figure_png", "fig_tbx_add_figure"}
    assert always <= measured
    if _fast_renderer_available():
        assert {"fast", "floor_png"} <= measured
    for name, why in result["skipped"].items():
        assert why, name


def test_smoke_run_reports_bytes_memory_ratios_and_targets(smoke_run):
    _, result, _ = smoke_run
    seed = result["approaches"]["seed"]["sizes"]["16"]
    assert seed["png_bytes"] > 0
    assert seed["peak_bytes"] > 0
    assert seed["input_bytes"] == 16 * 16 * 4
    figure = result["approaches"]["fig_add_figure_png"]["sizes"]["figure"]
    assert figure["png_bytes"] > 0
    assert figure["ratio"] == pytest.approx(1.0)
    assert result["targets"], "targets missing from the JSON"
    for target in result["targets"]:
        assert {"issue", "target", "size", "value", "limit", "met", "detail"} <= set(target)
        assert target["met"] in (True, False, None)
        assert (target["met"] is None) == (target["value"] is None)
    encoders = result["encoders"]
    assert encoders["rows"][0]["encoder"] == encoders["default"]
    for row in encoders["rows"]:
        for cell in row["pictures"].values():
            assert cell["median_ms"] > 0 and cell["png_bytes"] > 0


def test_smoke_run_writes_plot_and_markdown(smoke_run):
    _, _, paths = smoke_run
    with Image.open(paths["plot"]) as img:
        assert img.format == "PNG"
        assert img.size[0] > 100 and img.size[1] > 100
    text = paths["md"].read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nprose before\n")
    assert text.endswith(f"{common.MARK_END}\n\nprose after\n")
    section = text[text.index(common.MARK_START):text.index(common.MARK_END)]
    assert "old" not in section.split("\n")
    assert "| size | approach |" in section
    assert "### Targets" in section


def test_smoke_run_measures_the_training_loops(smoke_run):
    _, result, paths = smoke_run
    t = result["training"]
    assert t["side"] == 48 and t["rounds"] == 2
    assert list(t["loops"]) == list(training.LOOPS)
    for loop, cell in t["loops"].items():
        assert set(cell["added_ms"]) == set(training.MODES), loop
        assert all(np.isfinite(v) for v in cell["added_ms"].values()), loop
    # the waiting loop sleeps its step: nothing can make it shorter
    assert t["loops"]["wait"]["step_ms"] >= 0.99 * training.STEP_MS
    assert set(t["bursts"]) == {"thread", "process"}
    for burst in t["bursts"].values():
        assert burst["calls"] == len(burst["times_ms"]) == training.QUICK_BURST
        assert burst["filling_ms"] > 0 and burst["full_ms"] > 0
        assert burst["first_filling_ms"] > 0
    measured = [x for x in result["targets"] if x["issue"] == 13 and x["size"] == "48"]
    assert len(measured) == 4
    for x in measured:  # the ratio is not taken when thread mode added nothing
        assert x["met"] in (True, False) or x["target"].endswith("over thread mode's")
        assert (x["met"] is None) == (x["value"] is None)
    text = paths["md"].read_text(encoding="utf-8")
    assert "### Training loops" in text
    assert "| loop | step ms | sync | async_render=True | async_render='process' |" in text
    assert ("| mode | calls | worker busy, queue filling | queue full "
            "| queue filling, first burst |") in text


def _training(wait: tuple[float, float], python: tuple[float, float]) -> dict:
    """A training-loop table with (thread, process) ms added per step."""
    def cell(added):
        return {"label": "", "step_ms": 25.0,
                "added_ms": {"sync": 12.0, "thread": added[0], "process": added[1]}}

    return {"side": 1024, "loops": {"wait": cell(wait), "python": cell(python),
                                    "numpy": cell((3.0, 1.0))}}


def test_training_targets_are_evaluated_from_the_table():
    met = {t["target"]: t for t in training.evaluate_targets(_training((1.0, 0.8), (9.3, 1.2)))}
    assert all(t["met"] is True and t["size"] == "1024" for t in met.values())
    ratio = met["Python loop: process mode's added ms over thread mode's"]
    assert ratio["value"] == pytest.approx(1.2 / 9.3)
    assert ratio["detail"] == "process 1.20 ms / thread 9.30 ms"
    missed = {t["target"]: t["met"] for t in
              training.evaluate_targets(_training((2.0, 1.6), (3.0, 1.0)))}
    assert missed == {
        "Python loop: ms added per step by async_render='process'": True,
        "Python loop: process mode's added ms over thread mode's": False,  # 1/3 > 1/5
        "waiting loop: ms added per step by async_render='process'": False,
        "waiting loop: ms added per step by async_render=True": False,
    }
    no_ratio = {t["target"]: t for t in
                training.evaluate_targets(_training((1.0, 0.8), (-0.5, 1.2)))}
    ratio = no_ratio["Python loop: process mode's added ms over thread mode's"]
    assert ratio["met"] is None and ratio["value"] is None
    assert ratio["detail"] == "not measured (thread mode added -0.50 ms: no ratio to take)"
    for t in training.evaluate_targets(None):
        assert t["met"] is None and t["value"] is None
        assert t["detail"] == "not measured (no training-loop table in this run)"


def test_json_to_stdout_sends_the_report_to_stderr(monkeypatch, capsys):
    canned = _fake_result()
    monkeypatch.setattr(run, "run_benchmark", lambda *args, **kwargs: canned)
    assert run.main(["--sizes", "256", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["approaches"]["fast"]["sizes"]["256"]["median_ms"] == 2.0
    assert "Targets" in captured.err
    assert "x fast" in captured.err


@pytest.mark.parametrize("bad", ["1", "abc", "64,,x", ""])
def test_bad_sizes_are_refused(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(["--sizes", bad])
    assert exc.value.code == 2
    assert "sizes" in capsys.readouterr().err


def test_sizes_accept_commas_and_spaces():
    assert run._sizes_arg("64,256") == [64, 256]
    assert run._sizes_arg("64 256") == [64, 256]


def _cell(ms: float, png: int | None = None) -> dict:
    return {"runs": 3, "median_ms": ms, "times_ms": [ms] * 3, "peak_bytes": 1000,
            "input_bytes": 4, "png_bytes": png}


def _fake_result() -> dict:
    approaches = {
        "seed": {"sizes": {"256": _cell(200.0, 30_000), "4096": _cell(2000.0, 40_000)}},
        "tbx_add_figure": {"sizes": {"256": _cell(100.0)}},
        "tbx_add_image": {"sizes": {"256": _cell(3.0)}},
        "fast": {"sizes": {"256": _cell(2.0, 20_000), "4096": _cell(100.0, 50_000)}},
        "matplotlib": {"sizes": {"256": _cell(40.0)}},
        "background": {"sizes": {"1024": _cell(0.5), "4096": _cell(20.0)}},
        "process": {"sizes": {"4096": _cell(60.0)}},
        "floor_minmax": {"sizes": {"4096": _cell(40.0)}},
        "fig_draw": {"sizes": {"figure": _cell(50.0)}},
        "fig_add_figure_png": {"sizes": {"figure": _cell(55.0)}},
        "fig_tbx_add_figure": {"sizes": {"figure": _cell(80.0)}},
    }
    for name, entry in approaches.items():
        entry["label"] = common.LABELS.get(name) or common.FIGURE_LABELS[name]
    result = {
        "machine": {"date": "2026-01-01 00:00 UTC", "platform": "Linux", "cpu": "cpu",
                    "cpus": 2, "python": "3.11", "versions": {"numpy": "2"},
                    "png_backend": "isal"},
        "settings": {"sizes": [256, 1024, 4096], "quick": False, "warmup": 2,
                     "slow_seconds": 0.5, "slow_rounds": 5, "memory": "tracemalloc",
                     "async_render": True},
        "approaches": approaches,
        "skipped": {},
        "figure": {"width": 800, "height": 350, "description": "a figure"},
        "encoders": None,
        "seconds": 1.0,
    }
    report.add_ratios(result)
    result["targets"] = report.evaluate_targets(result)
    return result


def test_targets_are_evaluated_from_the_medians():
    targets = {(t["target"], t["size"]): t for t in _fake_result()["targets"]}
    seed = targets["fast vs the seed workaround", "256"]
    assert seed["value"] == pytest.approx(100.0) and seed["met"] is True
    figure = targets["fast vs tensorboardX add_figure (imshow + colorbar)", "256"]
    assert figure["value"] == pytest.approx(50.0) and figure["met"] is True
    bare = targets["fast vs tensorboardX add_image of the bare array", "256"]
    assert bare["value"] == pytest.approx(1.5) and bare["met"] is False
    floor = targets["fast vs one nanmin + nanmax pass", "4096"]
    assert floor["value"] == pytest.approx(2.5) and floor["met"] is True
    png = targets["add_figure_png vs tensorboardX add_figure (same figure)", "figure"]
    assert png["value"] == pytest.approx(80 / 55) and png["met"] is True
    draw = targets["add_figure_png vs the figure's canvas.draw()", "figure"]
    assert draw["value"] == pytest.approx(1.1) and draw["met"] is True
    mpl = targets["renderer='matplotlib' (reused figure) vs add_figure (fresh figure)", "256"]
    assert mpl["value"] == pytest.approx(2.5) and mpl["met"] is False
    assert targets["fast PNG bytes vs the seed workaround's", "256"]["met"] is True
    assert targets["fast PNG bytes vs the seed workaround's", "4096"]["met"] is False
    assert targets["fast PNG bytes vs the seed workaround's", "1024"]["met"] is None
    caller = targets["async_render=True caller cost, idle worker", "1024"]
    assert caller["value"] == pytest.approx(0.5) and caller["met"] is True
    pass_ = targets["async_render=True caller cost (idle worker) vs one nanmin + nanmax pass",
                    "4096"]
    assert pass_["value"] == pytest.approx(0.5) and pass_["met"] is True
    process = targets["async_render='process' caller cost vs one nanmin + nanmax pass", "4096"]
    assert process["value"] == pytest.approx(1.5) and process["met"] is True


def test_targets_without_a_measurement_are_not_met_or_failed():
    result = _fake_result()
    del result["approaches"]["fast"]
    result["skipped"]["fast"] = "ModuleNotFoundError: no fast renderer"
    report.add_ratios(result)
    targets = report.evaluate_targets(result)
    seed = next(t for t in targets if t["target"] == "fast vs the seed workaround")
    assert seed["met"] is None and seed["value"] is None
    assert "no fast renderer" in seed["detail"]
    text = report.format_report({**result, "targets": targets})
    assert "n/a" in text


def test_no_async_render_means_no_caller_cost_targets():
    result = _fake_result()
    result["settings"]["async_render"] = False
    assert all(t["issue"] != 4 for t in report.evaluate_targets(result))


def test_write_markdown_needs_the_markers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must contain the markers"):
        report.write_markdown(str(page), "table")
    fresh = tmp_path / "fresh.md"
    report.write_markdown(str(fresh), "table")
    report.write_markdown(str(fresh), "new table")
    text = fresh.read_text(encoding="utf-8")
    assert "new table" in text and "\ntable\n" not in text
    assert text.count(common.MARK_START) == 1 and text.count(common.MARK_END) == 1


def test_markdown_without_markers_exits_with_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "run_benchmark", lambda *args, **kwargs: _fake_result())
    page = tmp_path / "page.md"
    page.write_text("# no markers\n", encoding="utf-8")
    assert run.main(["--markdown", str(page)]) == 1
    assert "must contain the markers" in capsys.readouterr().err


def test_make_field_changes_limits_by_the_call_factor():
    field = common.make_field(32)
    assert field.dtype == np.float32 and field.shape == (32, 32)
    assert np.isfinite(field).all()
    factors = [common.call_factor(k) for k in range(1, 200)]
    assert len(set(factors)) == len(factors)
    assert all(0.5 <= f < 2.0 for f in factors)


def test_targets_at_sizes_not_in_the_run_are_not_measured():
    result = _fake_result()
    result["settings"]["sizes"] = [256]
    for entry in result["approaches"].values():
        for key in ("1024", "4096"):
            entry["sizes"].pop(key, None)
    targets = {(t["target"], t["size"]): t for t in report.evaluate_targets(result)}
    floor = targets["fast vs one nanmin + nanmax pass", "4096"]
    assert floor["met"] is None and floor["value"] is None
    assert floor["detail"] == "not measured (no 4096x4096 input in this run)"
    assert targets["async_render=True caller cost, idle worker", "1024"]["met"] is None
    assert targets["fast vs the seed workaround", "256"]["met"] is True


def test_the_script_runs_from_any_directory(tmp_path):
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    result = subprocess.run([sys.executable, str(script), "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: python benchmarks/run.py" in result.stdout
    for option in ("--quick", "--json", "--plot", "--markdown", "--sizes", "--repeats"):
        assert option in result.stdout


def test_smoke_run_times_the_pictures_with_options(smoke_run):
    _, result, paths = smoke_run
    cases = result["pictures"]["cases"]
    assert set(cases) == {"spectrogram", "confusion", "attention", "heatmap"}
    for name, case in cases.items():
        assert case["fast_ms"] > 0 and case["pyplot_ms"] > 0, name
        assert case["ratio"] == pytest.approx(case["pyplot_ms"] / case["fast_ms"]), name
        assert case["met"] == (case["ratio"] >= result["pictures"]["target"]), name
    assert not any(name.startswith("pictures_") for name in result["skipped"])
    assert "### Pictures with options" in paths["md"].read_text(encoding="utf-8")
