"""figwriter.torch: the torch.utils.tensorboard writer, and torch tensors as input.

The added methods' behaviour is covered by the shared matrix (the ``writer``
fixture runs every test module on both writer classes); this module covers what
is specific to torch: the import guard, the parent's own methods, parity between
the two classes, flush, and torch tensors on both classes.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from ._readback import read_image_protos, read_images, read_scalars
from ._requires import HAVE_TORCH, import_torch, needs_torch

if HAVE_TORCH:
    import torch
else:  # the import-guard tests still run; the others skip (fail in CI)
    torch = None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with this checkout importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )


# A meta-path finder that makes the named top-level packages look uninstalled.
_BLOCK = """
import sys

class _Uninstalled:
    def __init__(self, *names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

for _name in list(sys.modules):
    if _name.split(".")[0] in BLOCKED:
        del sys.modules[_name]
sys.meta_path.insert(0, _Uninstalled(*BLOCKED))
"""


# -- importing ---------------------------------------------------------------------


def test_figwriter_code_never_imports_torch():
    """Only figwriter/torch.py may import torch (statically, at any depth)."""
    import ast
    import pathlib

    package = pathlib.Path(ROOT, "figwriter")
    offenders = []
    for path in sorted(package.glob("*.py")):
        if path.name == "torch.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] == "torch"]
    assert offenders == []


def test_importing_figwriter_never_imports_torch(tmp_path):
    # ``import figwriter`` loads no torch at all. The writer class needs
    # tensorboardX, which itself imports torch where installed (tensorboardX 2.6:
    # ``import torch`` in tensorboardX/writer.py); figwriter adds nothing to that,
    # neither when the class loads nor when it logs.
    result = _run_python(f"""
        import sys

        def torch_modules():
            return {{m for m in sys.modules if m.split(".")[0] == "torch"}}

        import figwriter
        assert torch_modules() == set(), "import figwriter imported torch"
        import tensorboardX
        before = torch_modules()
        import numpy as np
        from figwriter import FigureSummaryWriter
        assert torch_modules() == before, sorted(torch_modules() - before)
        with FigureSummaryWriter({str(tmp_path)!r}) as writer:
            writer.add_colormapped_image("field", np.eye(4), global_step=0)
        assert torch_modules() == before, sorted(torch_modules() - before)
        assert "figwriter.torch" not in sys.modules
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_figwriter_works_without_torch(tmp_path):
    result = _run_python(f"""
        BLOCKED = ("torch",)
        {textwrap.indent(_BLOCK, " " * 8).strip()}
        import numpy as np
        from figwriter import FigureSummaryWriter
        with FigureSummaryWriter({str(tmp_path)!r}) as writer:
            writer.add_colormapped_image("field", np.eye(4), global_step=0)
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("blocked", "cause"),
    [
        pytest.param(("torch",), "torch", id="no-torch"),
        pytest.param(("tensorboard",), "tensorboard", id="no-tensorboard", marks=needs_torch),
    ],
)
def test_importing_figwriter_torch_without_torch_says_how_to_install(blocked, cause):
    result = _run_python(f"""
        BLOCKED = {blocked!r}
        {textwrap.indent(_BLOCK, " " * 8).strip()}
        import figwriter
        try:
            import figwriter.torch
        except ImportError as err:
            print(type(err).__name__)
            print(err)
            print(type(err.__cause__).__name__, getattr(err.__cause__, "name", None))
            print("figwriter.torch" in sys.modules)
        else:
            print("imported")
    """)
    assert result.returncode == 0, result.stderr
    kind, message, chained, leftover = result.stdout.strip().splitlines()
    assert kind == "ImportError"
    assert 'pip install "figwriter[torch]"' in message
    assert 'from a clone: pip install -e ".[torch]"' in message
    assert chained.split()[0] == "ModuleNotFoundError"
    assert chained.split()[1].strip("'").startswith(cause)
    assert leftover == "False"


# -- the torch writer itself ---------------------------------------------------------


@pytest.fixture
def torch_writer(logdir):
    import_torch()
    from figwriter.torch import FigureSummaryWriter

    w = FigureSummaryWriter(logdir)
    yield w
    w.close()


def test_is_a_torch_summary_writer(torch_writer):
    from torch.utils.tensorboard import SummaryWriter

    assert isinstance(torch_writer, SummaryWriter)


@needs_torch
def test_adds_the_same_methods_with_the_same_options():
    import tensorboardX
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from figwriter import FigureSummaryWriter as TbxFigureWriter
    from figwriter.torch import FigureSummaryWriter as TorchFigureWriter

    def added(cls, parent):
        return {
            name for name in dir(cls)
            if not name.startswith("_") and not hasattr(parent, name)
        }

    names = added(TorchFigureWriter, TorchWriter)
    assert names == added(TbxFigureWriter, tensorboardX.SummaryWriter)
    assert {"add_figure_png", "add_colormapped_image"} <= names
    for name in names:
        ours, theirs = getattr(TorchFigureWriter, name), getattr(TbxFigureWriter, name)
        if callable(ours):  # one function, shared: no copy
            assert ours is theirs, name
    assert inspect.signature(TorchFigureWriter.__init__) == inspect.signature(
        TbxFigureWriter.__init__
    )


@needs_torch
def test_constructor_takes_the_parents_arguments(tmp_path):
    from figwriter.torch import FigureSummaryWriter

    with FigureSummaryWriter(
        log_dir=str(tmp_path / "a"), comment="x", purge_step=None, max_queue=5,
        flush_secs=30, filename_suffix=".suffix",
    ) as writer:
        assert writer.log_dir == str(tmp_path / "a")
        writer.add_colormapped_image("field", np.eye(3), global_step=0)
    (name,) = os.listdir(tmp_path / "a")
    assert name.startswith("events.out.tfevents.") and name.endswith(".suffix")


def test_inherited_torch_methods_still_work(torch_writer, logdir, rng):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2), dpi=40)
    fig.subplots().plot([1, 2])
    torch_writer.add_scalar("loss", 0.25, global_step=1)
    torch_writer.add_scalars("pair", {"a": 1.0, "b": 2.0}, global_step=1)
    torch_writer.add_image("raw", torch.rand(3, 8, 6), global_step=2)
    torch_writer.add_images("raws", np.zeros((2, 3, 4, 5)), global_step=2)
    torch_writer.add_histogram("weights", torch.randn(100), global_step=3)
    torch_writer.add_text("note", "hello", global_step=4)
    torch_writer.add_figure("torch_figure", fig, global_step=5)
    torch_writer.add_colormapped_image("ours", rng.normal(size=(8, 8)), global_step=6)
    torch_writer.flush()
    images = read_images(logdir)
    assert sorted(images) == ["ours", "raw", "raws", "torch_figure"]
    assert (images["raw"][0].width, images["raw"][0].height) == (6, 8)
    assert images["torch_figure"][0].pixels.shape == (80, 80, 3)
    assert [(step, value) for step, _, value in read_scalars(logdir)["loss"]] == [(1, 0.25)]


def test_logs_api_usage_like_add_image(torch_writer, monkeypatch):
    seen = []
    monkeypatch.setattr(torch._C, "_log_api_usage_once", seen.append)
    torch_writer.add_colormapped_image("field", np.eye(3), global_step=0)
    assert seen == ["tensorboard.logging.add_image"]


@pytest.mark.parametrize("async_render", [False, True], ids=["sync", "async"])
def test_step_and_walltime_reach_the_event_as_torchs_add_image_writes_them(
        torch_writer, logdir, async_render):
    from matplotlib.figure import Figure

    from figwriter.torch import FigureSummaryWriter

    fig = Figure(figsize=(1, 1), dpi=20)
    before = time.time()
    with FigureSummaryWriter(logdir, async_render=async_render) as writer:
        writer.add_image("parent", np.zeros((1, 4, 4)), 7, walltime=1234.5)
        writer.add_colormapped_image("image", np.eye(4), 7, walltime=1234.5)
        writer.add_colormapped_images("images", np.ones((2, 3, 3)), 8, walltime=2345.25)
        writer.add_figure_png("figure", fig, 9, walltime=3456.0)
        writer.add_colormapped_image("now", np.eye(4))  # no step, walltime now
        writer.add_image("parent-now", np.zeros((1, 4, 4)))
    after = time.time()
    events = {tag: [(e.step, e.wall_time) for e in found]
              for tag, found in read_images(logdir).items()}
    assert events["image"] == events["parent"] == [(7, 1234.5)]
    assert events["images"] == [(8, 2345.25)]
    assert events["figure"] == [(9, 3456.0)]
    ((step, wall_time),) = events["now"]
    assert step == events["parent-now"][0][0]  # the parent's default step
    assert before <= wall_time <= after


# -- both writer classes -------------------------------------------------------------


@needs_torch
def test_both_writers_write_the_same_bytes(tmp_path, rng):
    from matplotlib.figure import Figure

    from figwriter import FigureSummaryWriter as TbxFigureWriter
    from figwriter.torch import FigureSummaryWriter as TorchFigureWriter

    field = rng.normal(size=(24, 40))
    fig = Figure(figsize=(2, 1.5), dpi=50)
    fig.subplots().imshow(field)
    written = {}
    for cls in (TbxFigureWriter, TorchFigureWriter):
        logdir = str(tmp_path / cls.__module__)
        with cls(logdir) as writer:
            writer.add_figure_png("figure", fig, global_step=0, close=False, walltime=5.0)
            writer.add_colormapped_image("field", field, 1, 6.0, center=0.0, title="t")
            writer.add_colormapped_image("field_mpl", field, 2, renderer="matplotlib")
            writer.add_colormapped_images("batch", np.stack([field, -field]), 3)
        written[cls] = [
            (tag, step, proto.height, proto.width, proto.colorspace,
             proto.encoded_image_string)
            for tag, step, _, proto in read_image_protos(logdir)
        ]
    assert written[TbxFigureWriter] == written[TorchFigureWriter]
    assert len(written[TbxFigureWriter]) >= 3


def test_tags_are_written_as_the_parents_add_image_writes_them(writer, logdir):
    tag = "loss map (val)"
    writer.add_image(tag, np.zeros((1, 4, 4)), global_step=0)
    writer.add_colormapped_image(tag, np.eye(4), global_step=1)
    writer.flush()
    ((parent_tag, parent_step, _, _), (our_tag, our_step, _, _)) = read_image_protos(logdir)
    assert (parent_step, our_step) == (0, 1)
    assert our_tag == parent_tag


@pytest.mark.parametrize("async_render", [False, True], ids=["sync", "async"])
def test_flush_puts_every_event_on_disk(writer_cls, logdir, async_render):
    options = {"async_render": True} if async_render else {}
    # A long queue and a long flush interval: nothing reaches the file by itself.
    writer = writer_cls(logdir, max_queue=1000, flush_secs=10_000, **options)
    try:
        for step in range(25):
            writer.add_colormapped_image("field", np.full((4, 4), step), global_step=step,
                                         vmin=0, vmax=25)
            writer.add_scalar("loss", float(step), global_step=step)
        writer.flush()
        # Read while the writer is still open: what flush() returned for is there.
        assert [e.step for e in read_images(logdir)["field"]] == list(range(25))
        assert len(read_scalars(logdir)["loss"]) == 25
        writer.add_colormapped_image("field", np.eye(4), global_step=25)
        writer.flush()
        assert len(read_images(logdir)["field"]) == 26
    finally:
        writer.close()


# -- torch tensors as input, on both writer classes -----------------------------------


def _base(rng) -> np.ndarray:
    base = rng.normal(size=(30, 42)).astype(np.float32)
    base[3, 5] = np.nan
    return base


def _cpu(t):
    return t


def _requires_grad(t):
    return t.clone().requires_grad_(True)


def _non_leaf(t):
    leaf = t.clone().requires_grad_(True)
    return leaf * 1.0  # has a grad_fn


def _float16(t):
    return t.to(torch.float16)


def _bfloat16(t):
    return t.to(torch.bfloat16)


def _transposed(t):
    return t.t()


def _strided(t):
    return t[::2, 1::3]


def _broadcast(t):
    return t[0].expand(7, -1)  # stride 0 along the rows


def _channel_view(t):
    return t.t().unsqueeze(0)  # (1, W, H) view, logged with dataformats="CHW"


TENSORS = {
    "cpu": (_cpu, "HW"),
    "requires_grad": (_requires_grad, "HW"),
    "non_leaf": (_non_leaf, "HW"),
    "float16": (_float16, "HW"),
    "bfloat16": (_bfloat16, "HW"),
    "transposed": (_transposed, "HW"),
    "strided": (_strided, "HW"),
    "broadcast": (_broadcast, "HW"),
    "channel_view": (_channel_view, "CHW"),
}


def _numpy_float32(tensor) -> np.ndarray:
    """The numpy float32 array holding the same values as ``tensor``."""
    return np.array(tensor.detach().float().numpy(), dtype=np.float32, order="C")


@needs_torch
@pytest.mark.parametrize("renderer", ["fast", "matplotlib"])
@pytest.mark.parametrize("kind", list(TENSORS))
def test_torch_tensor_equals_its_numpy_float32(writer, logdir, rng, kind, renderer):
    make, dataformats = TENSORS[kind]
    tensor = make(torch.from_numpy(_base(rng)))
    if kind in ("transposed", "strided", "broadcast", "channel_view"):
        assert not tensor.is_contiguous()
    expected = _numpy_float32(tensor)
    options = {"renderer": renderer, "dataformats": dataformats}
    writer.add_colormapped_image("tensor", tensor, global_step=0, **options)
    writer.add_colormapped_image("array", expected, global_step=0, **options)
    writer.flush()
    images = read_images(logdir)
    (got,), (want,) = images["tensor"], images["array"]
    assert (got.width, got.height) == (want.width, want.height)
    np.testing.assert_array_equal(got.pixels, want.pixels)
    # The caller's tensor is left as it was.
    np.testing.assert_array_equal(_numpy_float32(tensor), expected)
    assert tensor.requires_grad == (kind in ("requires_grad", "non_leaf"))


def _bfloat16_field(span: str):
    """A bfloat16 tensor whose values float16 cannot hold: all above 65504, or all
    below float16's smallest subnormal."""
    if span == "huge":
        values = np.geomspace(7.0e4, 3.0e38, 48) * np.resize([1.0, -1.0, 1.0], 48)
    else:
        values = np.geomspace(1.0e-30, 1.0e-8, 48)
    return torch.tensor(values.reshape(6, 8), dtype=torch.float32).to(torch.bfloat16)


@needs_torch
@pytest.mark.parametrize("renderer", ["fast", "matplotlib"])
@pytest.mark.parametrize("span, norm", [("huge", "linear"), ("huge", "symlog"),
                                        ("tiny", "linear"), ("tiny", "log")])
def test_bfloat16_beyond_float16_gives_the_picture_of_torchs_own_conversion(
        writer, logdir, renderer, span, norm):
    tensor = _bfloat16_field(span)
    expected = tensor.float().numpy()  # torch's own bfloat16 -> float32
    assert np.isfinite(expected).all()
    if span == "huge":
        assert np.abs(expected).min() > 65504
    else:
        assert expected.max() < 6e-8
    options = {"renderer": renderer, "norm": norm, "label": span}
    writer.add_colormapped_image("bfloat16", tensor, 0, title=norm, **options)
    writer.add_colormapped_image("float32", expected, 0, title=norm, **options)
    writer.add_colormapped_images("bfloat16-batch", torch.stack([tensor, tensor * 0.5]), 0,
                                  **options)
    writer.add_colormapped_images("float32-batch", np.stack([expected,
                                                             (tensor * 0.5).float().numpy()]),
                                  0, **options)
    writer.flush()
    images = read_images(logdir)
    for got, want in (("bfloat16", "float32"), ("bfloat16-batch", "float32-batch")):
        (a,), (b,) = images[got], images[want]
        assert (a.width, a.height) == (b.width, b.height), got
        np.testing.assert_array_equal(a.pixels, b.pixels, err_msg=got)


@needs_torch
def test_torch_batch_equals_its_numpy_float32(writer, logdir, rng):
    batch = torch.from_numpy(rng.normal(size=(3, 12, 16)).astype(np.float32))
    tensor = batch.to(torch.bfloat16).transpose(1, 2).requires_grad_(True)
    writer.add_colormapped_images("tensor", tensor, global_step=0)
    writer.add_colormapped_images("array", _numpy_float32(tensor), global_step=0)
    writer.flush()
    images = read_images(logdir)
    np.testing.assert_array_equal(images["tensor"][0].pixels, images["array"][0].pixels)
