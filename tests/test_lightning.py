"""figwriter.lightning.TensorBoardLogger under a real lightning.Trainer on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

from ._readback import read_images, read_scalars
from ._requires import require

require("lightning")
torch = require("torch")

import lightning  # noqa: E402

from figwriter.lightning import TensorBoardLogger  # noqa: E402
from figwriter.torch import FigureSummaryWriter  # noqa: E402

STEPS = 4


class Regression(lightning.LightningModule):
    """A 4x6 linear layer learning a fixed map; logs its weights as a picture each step."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.layer = torch.nn.Linear(6, 4)
        self.logged: list[np.ndarray] = []

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("loss", loss)
        weights = self.layer.weight  # requires_grad: figwriter detaches it
        self.logged.append(weights.detach().numpy().copy())
        self.logger.experiment.add_colormapped_image(
            "weights", weights, self.global_step, center=0.0, label="weight")
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)

    def train_dataloader(self):
        generator = torch.Generator().manual_seed(1)
        x = torch.randn(STEPS * 8, 6, generator=generator)
        y = x @ torch.randn(6, 4, generator=generator)
        return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)


def _fit(logger: TensorBoardLogger) -> Regression:
    model = Regression()
    trainer = lightning.Trainer(
        max_epochs=1, accelerator="cpu", devices=1, logger=logger, log_every_n_steps=1,
        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
    )
    trainer.fit(model)
    return model


@pytest.mark.parametrize("async_render", [False, True])
@pytest.mark.slow
def test_a_lightning_module_logs_pictures_through_the_logger(tmp_path, async_render):
    logger = TensorBoardLogger(tmp_path, name="run", async_render=async_render)
    model = _fit(logger)

    assert isinstance(logger.experiment, FigureSummaryWriter)
    assert logger.experiment.async_render is async_render  # the option passed through
    images = read_images(logger.log_dir)
    steps = [e.step for e in images["weights"]]
    assert steps == list(range(STEPS)) and len(model.logged) == STEPS
    # the pictures are those figwriter's own writer makes for the same values
    with FigureSummaryWriter(str(tmp_path / "reference")) as reference:
        for step, weights in enumerate(model.logged):
            reference.add_colormapped_image("weights", weights, step, center=0.0,
                                            label="weight")
    expected = read_images(str(tmp_path / "reference"))["weights"]
    assert [e.png for e in images["weights"]] == [e.png for e in expected]
    assert model.logged[0].tolist() != model.logged[-1].tolist()  # it trained
    # Lightning's own metrics still land beside them
    assert [step for step, _, _ in read_scalars(logger.log_dir)["loss"]] == list(range(STEPS))


def test_log_colormapped_image_is_the_writer_method(tmp_path, rng):
    values = rng.normal(size=(12, 20))
    logger = TensorBoardLogger(tmp_path, name="run", version=0)
    logger.log_colormapped_image("field", values, step=3, cmap="magma", title="a field")
    logger.finalize("success")
    with FigureSummaryWriter(str(tmp_path / "reference")) as reference:
        reference.add_colormapped_image("field", values, 3, cmap="magma", title="a field")
    (written,) = read_images(logger.log_dir)["field"]
    (expected,) = read_images(str(tmp_path / "reference"))["field"]
    assert written.step == 3 and written.png == expected.png


def test_bad_options_are_the_writer_errors(tmp_path):
    logger = TensorBoardLogger(tmp_path, name="run")
    with pytest.raises(ValueError, match="values must be 2-D"):
        logger.log_colormapped_image("field", np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="async_render must be False, True, 'thread' or "
                                         "'process'; got 'yes'"):
        TensorBoardLogger(tmp_path, name="other", async_render="yes").experiment  # noqa: B018
    logger.finalize("success")
