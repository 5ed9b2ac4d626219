"""Inherited behaviour: the subclass writes exactly what its parent writes.

The same calls go to the parent SummaryWriter and to figwriter's subclass, into
two log directories; the events (as written, and as tensorboard reads them back)
must be the same.
"""

from __future__ import annotations

import glob
import inspect
import io
import os

import numpy as np
import pytest
from matplotlib.figure import Figure

from figwriter._mixin import FigureMethods


def _parent_cls(writer_cls: type) -> type:
    return next(
        c for c in writer_cls.__mro__[1:]
        if not issubclass(c, FigureMethods) and hasattr(c, "add_figure")
    )


def _raw_events(logdir: str) -> list[tuple]:
    """Every event under ``logdir`` as written: (subdir, step, wall_time, kind, payload)."""
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

    out = []
    for path in sorted(glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"),
                                 recursive=True)):
        sub = os.path.relpath(os.path.dirname(path), logdir)
        for event in LegacyEventFileLoader(path).Load():
            kind = event.WhichOneof("what")
            if kind == "file_version":
                continue
            payload = getattr(event, kind)
            out.append((sub, event.step, event.wall_time, kind, payload))
    return out


def _read_back(logdir: str) -> dict:
    """What tensorboard's EventAccumulator reads from ``logdir`` itself."""
    from PIL import Image
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(logdir, size_guidance={k: 0 for k in
                                                  ("scalars", "images", "histograms", "tensors")})
    acc.Reload()
    tags = acc.Tags()
    images = {}
    for tag in tags["images"]:
        images[tag] = []
        for e in acc.Images(tag):
            with Image.open(io.BytesIO(e.encoded_image_string)) as im:
                images[tag].append((e.step, e.wall_time, e.width, e.height, np.asarray(im)))
    return {
        "scalars": {t: [(e.step, e.wall_time, e.value) for e in acc.Scalars(t)]
                    for t in tags["scalars"]},
        "histograms": {t: [(e.step, e.wall_time, e.histogram_value) for e in acc.Histograms(t)]
                       for t in tags["histograms"]},
        "tensors": {t: [(e.step, e.wall_time, e.tensor_proto) for e in acc.Tensors(t)]
                    for t in tags["tensors"]},
        "images": images,
    }


def _assert_same_read_back(ours: dict, theirs: dict) -> None:
    assert ours["scalars"] == theirs["scalars"]
    assert ours["histograms"] == theirs["histograms"]
    assert ours["tensors"] == theirs["tensors"]
    assert sorted(ours["images"]) == sorted(theirs["images"])
    for tag, events in ours["images"].items():
        assert len(events) == len(theirs["images"][tag])
        for mine, parent in zip(events, theirs["images"][tag]):
            assert mine[:4] == parent[:4]
            np.testing.assert_array_equal(mine[4], parent[4])


def _figure() -> Figure:
    fig = Figure(figsize=(2, 1.5), dpi=40)
    fig.subplots().bar(["a", "b", "c"], [3, 1, 2])
    return fig


def _log_everything(w, rng_seed: int = 0) -> None:
    """One call of each common inherited method, with fixed steps and walltimes."""
    rng = np.random.default_rng(rng_seed)
    w.add_scalar("loss", 0.25, 1, walltime=100.0)
    w.add_scalar("loss", np.float32(0.125), 2, walltime=101.0)
    w.add_scalar("acc", 3, 2, walltime=101.5)
    w.add_image("img/chw", rng.integers(0, 256, size=(3, 8, 10), dtype=np.uint8), 3,
                walltime=102.0)
    w.add_image("img/hwc", rng.random(size=(8, 10, 3)), 3, walltime=102.5, dataformats="HWC")
    w.add_image("img/hw", rng.random(size=(6, 7)), 4, walltime=103.0, dataformats="HW")
    w.add_images("imgs", rng.random(size=(3, 1, 5, 5)), 4, walltime=103.5)
    w.add_figure("fig", _figure(), 5, walltime=104.0)
    w.add_histogram("hist", rng.normal(size=500), 6, walltime=105.0)
    w.add_histogram("hist_auto", rng.normal(size=200), 7, bins="auto", walltime=105.5)
    w.add_text("note", "**bold** text", 8, walltime=106.0)
    w.add_pr_curve("pr", rng.integers(0, 2, size=50), rng.random(size=50), 9, walltime=107.0)


def test_every_inherited_method_is_the_parents(writer_cls):
    parent = _parent_cls(writer_cls)
    # documented: flush/close wait for pending pictures; _get_file_writer guards the event
    # file, names it uniquely, and opens the child's own in a forked child
    overridden = {"flush", "close", "__init__", "_get_file_writer"}
    for name, member in inspect.getmembers(parent, callable):
        if name.startswith("__") and name not in ("__enter__", "__exit__"):
            continue
        if name in overridden:
            continue
        assert getattr(writer_cls, name) is member, name
    added = {n for n in dir(writer_cls) if not n.startswith("_")} - set(dir(parent))
    assert {"add_figure_png", "add_colormapped_image"} <= added


def test_common_methods_write_the_same_events(writer_cls, tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    with writer_cls(ours) as w:
        _log_everything(w)
    with _parent_cls(writer_cls)(theirs) as w:
        _log_everything(w)
    mine, parent = _raw_events(ours), _raw_events(theirs)
    assert len(mine) == len(parent) >= 12
    assert mine == parent
    read = _read_back(ours)
    _assert_same_read_back(read, _read_back(theirs))
    assert read["scalars"]["loss"] == [(1, 100.0, 0.25), (2, 101.0, 0.125)]
    assert read["images"]["fig"][0][2:4] == (80, 60)


def test_add_scalars_writes_the_same_runs(writer_cls, tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    for cls, logdir in [(writer_cls, ours), (_parent_cls(writer_cls), theirs)]:
        with cls(logdir) as w:
            w.add_scalars("run", {"train": 1.0, "val": 2.0}, 1, walltime=10.0)
            w.add_scalars("run", {"train": 0.5, "val": 1.5}, 2, walltime=11.0)
    mine = _raw_events(ours)
    assert mine == _raw_events(theirs)
    subs = {sub for sub, *_ in mine} - {"."}
    assert len(subs) == 2  # one run per curve
    for sub in subs:
        _assert_same_read_back(_read_back(os.path.join(ours, sub)),
                               _read_back(os.path.join(theirs, sub)))


def _hparams_call(w) -> None:
    name_kw = "name" if "name" in inspect.signature(w.add_hparams).parameters else "run_name"
    w.add_hparams({"lr": 0.1, "batch": 32, "opt": "adam", "nesterov": True},
                  {"hp/accuracy": 0.9, "hp/loss": 0.1}, **{name_kw: "trial"})


def test_add_hparams_writes_the_same_session(writer_cls, tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    for cls, logdir in [(writer_cls, ours), (_parent_cls(writer_cls), theirs)]:
        with cls(logdir) as w:
            _hparams_call(w)

    def without_walltime(events):  # hparams' own scalars take the current time
        return [(sub, step, kind, payload) for sub, step, _, kind, payload in events]

    mine = _raw_events(ours)
    assert any(sub == "trial" for sub, *_ in mine)
    assert without_walltime(mine) == without_walltime(_raw_events(theirs))
    read = _read_back(os.path.join(ours, "trial"))
    assert [v for *_, v in read["scalars"]["hp/accuracy"]] == [pytest.approx(0.9)]


def test_context_manager(writer_cls, tmp_path):
    logdir = str(tmp_path / "run")
    with writer_cls(logdir) as w:
        assert isinstance(w, writer_cls)
        w.add_scalar("x", 1.0, 0, walltime=1.0)
    # closed on exit: everything is on disk
    assert _read_back(logdir)["scalars"]["x"] == [(0, 1.0, 1.0)]
    with pytest.raises(RuntimeError, match="inside"), writer_cls(str(tmp_path / "other")) as w:
        w.add_scalar("y", 2.0, 0, walltime=2.0)
        raise RuntimeError("inside")
    assert _read_back(str(tmp_path / "other"))["scalars"]["y"] == [(0, 2.0, 2.0)]


def test_flush_close_and_reopen_like_the_parent(writer_cls, tmp_path):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    for cls, logdir in [(writer_cls, ours), (_parent_cls(writer_cls), theirs)]:
        w = cls(logdir)
        w.add_scalar("x", 1.0, 0, walltime=1.0)
        w.flush()
        w.add_scalar("x", 2.0, 1, walltime=2.0)
        w.close()
        w.close()  # closing twice is harmless
        w.flush()  # so is flushing a closed writer
        w.add_scalar("x", 3.0, 2, walltime=3.0)  # writing after close reopens
        w.close()
    mine = _read_back(ours)["scalars"]["x"]
    assert mine == [(0, 1.0, 1.0), (1, 2.0, 2.0), (2, 3.0, 3.0)]
    assert len(os.listdir(ours)) == 2
    # tensorboardX's own writer names event files by the second: reopening within the
    # same second truncates the first file (figwriter's files carry a counter too)
    assert _read_back(theirs)["scalars"]["x"] in (mine, [(2, 3.0, 3.0)])


def test_flush_writes_queued_events(writer, logdir):
    writer.add_scalar("x", 1.0, 0, walltime=1.0)
    writer.add_histogram("h", np.arange(10.0), 0, walltime=1.0)
    writer.flush()
    read = _read_back(logdir)
    assert read["scalars"]["x"] == [(0, 1.0, 1.0)]
    assert [step for step, *_ in read["histograms"]["h"]] == [0]


# -- constructor arguments --------------------------------------------------------------
def _takes(cls: type, name: str) -> bool:
    return name in inspect.signature(cls.__init__).parameters


def _logdir_of(w) -> str:
    return w.get_logdir() if hasattr(w, "get_logdir") else w.logdir


def test_log_dir_keyword_and_positional_logdir(writer_cls, tmp_path):
    parent = _parent_cls(writer_cls)
    for cls, sub in [(writer_cls, "ours"), (parent, "theirs")]:
        with cls(log_dir=str(tmp_path / sub / "kw")) as w:
            w.add_scalar("x", 1.0, 0, walltime=1.0)
            assert _logdir_of(w) == str(tmp_path / sub / "kw")
        with cls(str(tmp_path / sub / "pos")) as w:
            w.add_scalar("x", 1.0, 0, walltime=1.0)
            assert _logdir_of(w) == str(tmp_path / sub / "pos")
    for sub in ("kw", "pos"):
        assert _raw_events(str(tmp_path / "ours" / sub)) == _raw_events(
            str(tmp_path / "theirs" / sub))
        assert len(_raw_events(str(tmp_path / "ours" / sub))) == 1


def test_default_logdir_with_comment(writer_cls, tmp_path, monkeypatch):
    names = {}
    for cls, sub in [(writer_cls, "ours"), (_parent_cls(writer_cls), "theirs")]:
        (tmp_path / sub).mkdir()
        monkeypatch.chdir(tmp_path / sub)
        with cls(comment="_lr0.1") as w:
            w.add_scalar("x", 1.0, 0)
            logdir = _logdir_of(w)
        names[sub] = os.listdir(tmp_path / sub / "runs")
        assert logdir.startswith("runs" + os.sep) and logdir.endswith("_lr0.1")
    assert len(names["ours"]) == len(names["theirs"]) == 1
    assert names["ours"][0].endswith("_lr0.1")
    # the same naming scheme: date, host, then the comment
    assert len(names["ours"][0]) == len(names["theirs"][0])


def test_purge_step(writer_cls, tmp_path):
    parent = _parent_cls(writer_cls)
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "theirs")
    for cls, logdir in [(writer_cls, ours), (parent, theirs)]:
        with cls(logdir) as w:
            for step in range(5):
                w.add_scalar("x", float(step), step, walltime=float(step))
        # a restarted job (another file name: tensorboardX names files by the second)
        with cls(logdir, purge_step=2, filename_suffix=".restart") as w:
            w.add_scalar("x", 20.0, 2, walltime=10.0)

    def no_time(events):  # the purge marker is stamped with the current time
        return [(sub, step, kind, payload) for sub, step, _, kind, payload in events]

    assert no_time(_raw_events(ours)) == no_time(_raw_events(theirs))
    assert any(kind == "session_log" for *_, kind, _ in _raw_events(ours))
    values = [(s, v) for s, _, v in _read_back(ours)["scalars"]["x"]]
    assert values == [(0, 0.0), (1, 1.0), (2, 20.0)]
    assert values == [(s, v) for s, _, v in _read_back(theirs)["scalars"]["x"]]


def test_filename_suffix(writer_cls, tmp_path):
    for cls, sub in [(writer_cls, "ours"), (_parent_cls(writer_cls), "theirs")]:
        with cls(str(tmp_path / sub), filename_suffix=".suffix") as w:
            w.add_scalar("x", 1.0, 0, walltime=1.0)
        (name,) = os.listdir(tmp_path / sub)
        assert name.startswith("events.out.tfevents.") and name.endswith(".suffix")
    assert _raw_events(str(tmp_path / "ours")) == _raw_events(str(tmp_path / "theirs"))


def test_max_queue_and_flush_secs_are_passed_on(writer_cls, tmp_path):
    parent = _parent_cls(writer_cls)
    for cls, sub in [(writer_cls, "ours"), (parent, "theirs")]:
        w = cls(str(tmp_path / sub), max_queue=3, flush_secs=7)
        try:
            attrs = {k: v for k, v in vars(w).items() if k in ("_max_queue", "_flush_secs",
                                                             "max_queue", "flush_secs")}
            assert sorted(attrs.values()) == [3, 7], cls
        finally:
            w.close()


def test_write_to_disk_false(writer_cls, tmp_path, rng):
    parent = _parent_cls(writer_cls)
    if not _takes(parent, "write_to_disk"):
        pytest.skip(f"{parent.__module__}.SummaryWriter has no write_to_disk")
    for cls, sub in [(writer_cls, "ours"), (parent, "theirs")]:
        with cls(str(tmp_path / sub), write_to_disk=False) as w:
            w.add_scalar("x", 1.0, 0)
            w.add_image("img", rng.random(size=(3, 4, 4)), 0)
            w.flush()
            if cls is writer_cls:
                w.add_colormapped_image("cm", np.eye(3), 0, renderer="matplotlib")
                w.add_figure_png("fig", _figure(), 0)
                w.flush()
    ours = sorted(p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*")) \
        if (tmp_path / "ours").exists() else None
    theirs = sorted(p.relative_to(tmp_path / "theirs") for p in (tmp_path / "theirs").rglob("*")) \
        if (tmp_path / "theirs").exists() else None
    assert ours == theirs
    assert not glob.glob(str(tmp_path / "ours" / "**" / "events.out.tfevents.*"), recursive=True)


def test_unknown_constructor_argument_is_refused_like_the_parent(writer_cls, tmp_path):
    parent = _parent_cls(writer_cls)
    if "kwargs" in inspect.signature(parent.__init__).parameters:
        pytest.skip("this parent accepts any keyword")
    with pytest.raises(TypeError, match="no_such_option"):
        parent(str(tmp_path / "theirs"), no_such_option=1)
    with pytest.raises(TypeError, match="no_such_option"):
        writer_cls(str(tmp_path / "ours"), no_such_option=1)
