"""lib/image_classifier/code.py: every code panel runs as a script and reproduces what the page does."""
import pytest
import torch

from lib.image_classifier import code as C
from lib.image_classifier import models as M
from lib.image_classifier import training as T
from tests.helpers import run_script

FASHION = (1, 28, 28)
MLP = M.PRESETS[M.DEFAULT_PRESET]


@pytest.mark.parametrize("fn", [C.classic_code, C.fast_code])
def test_pipeline_code_runs_and_reproduces(fn, tmp_path, digits):
    script = run_script(fn("digits8", 32, 0.2), tmp_path, "pipe.py")
    assert torch.equal(script.namespace["train_x"], digits.train_x) and torch.equal(script.namespace["test_y"], digits.test_y)
    assert "torch.Size([32, 1, 8, 8])" in script.stdout


@pytest.mark.parametrize("name", list(M.PRESETS))
@pytest.mark.parametrize("style", ["sequential", "module", "functional"])
def test_generated_code_builds_the_same_network(name, style, tmp_path):
    """Run the code shown on the page; load our weights into it and compare outputs."""
    model = M.build(M.PRESETS[name], FASHION, 10, seed=3).eval()
    theirs = run_script(C.model_code(model, FASHION, style), tmp_path, "model.py").namespace["model"].eval()
    assert M.count_params(theirs) == M.count_params(model)
    ours_state, their_keys = list(model.state_dict().values()), list(theirs.state_dict())
    theirs.load_state_dict(dict(zip(their_keys, ours_state)))  # same order of tensors in every style
    x = torch.randn(3, *FASHION, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(theirs(x), model(x))


def test_unknown_code_style():
    with pytest.raises(ValueError, match="code style"):
        C.model_code(M.build(MLP, FASHION, 10), FASHION, "poetry")


@pytest.mark.parametrize("layer, source, call", [
    (torch.nn.Conv2d(1, 16, 5, stride=2, padding=2), "nn.Conv2d(1, 16, kernel_size=5, stride=2, padding=2)", "self.c(x)"),
    (torch.nn.MaxPool2d(2), "nn.MaxPool2d(2)", "F.max_pool2d(x, 2)"),
    (torch.nn.Dropout(0.25), "nn.Dropout(0.25)", "F.dropout(x, p=0.25, training=self.training)"),
    (torch.nn.Tanh(), "nn.Tanh()", "torch.tanh(x)"),
    (torch.nn.GELU(), "nn.GELU()", "self.c(x)"),  # not in the table: written as a module
])
def test_layer_source_and_functional_call(layer, source, call):
    assert C.layer_source(layer) == source and C.functional_call(layer, "c") == call


def test_attribute_names():
    model = M.build(M.PRESETS["mnist_cnn"], FASHION, 10)
    assert C.attribute_names(model) == ["conv1", "act1", "pool1", "conv2", "act2", "flatten1", "fc1"]


def test_training_script_runs(tmp_path):
    model = M.build(MLP, (1, 8, 8), 10)
    cfg = T.TrainConfig(epochs=2, batch_size=64)
    script = run_script(C.training_code("digits8", C.model_code(model, (1, 8, 8), "sequential"), MLP, cfg, 0.2),
                        tmp_path, "train.py")
    acc = float(script.stdout.split("test accuracy ")[1].split("%")[0])
    assert acc > 60  # two epochs on 8x8 digits learn a lot; an untrained net is at ~10%
    assert (tmp_path / "classifier_state_dict.pt").exists()


def test_sgd_training_script_names_its_optimizer():
    cfg = T.TrainConfig(optimizer="sgd", lr=0.03, nesterov=True)
    assert "torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9, nesterov=True" in C.optimizer_code(cfg)


def test_tensorboard_code_logs_a_run(tmp_path):
    """The training script with "log this run": real event files with the page's tags, read back."""
    pytest.importorskip("tensorboard")
    from lib.common.runlog import read_scalars

    model = M.build(M.PRESETS["fast_cnn"], (1, 8, 8), 10)
    cfg = T.TrainConfig(epochs=2, batch_size=8, schedule="onecycle", lr=3e-3)  # 144 batches an epoch: one log at 100
    source = C.model_code(model, (1, 8, 8), "sequential")
    run_script(C.training_code("digits8", source, M.PRESETS["fast_cnn"], cfg, 0.2, log=True), tmp_path, "log.py")
    assert list((tmp_path / "runs" / "classifier").glob("events.out.tfevents.*"))
    tags = {c.tag for c in read_scalars(tmp_path / "runs", "classifier")}
    assert {"loss/train", "learning_rate", "loss/validation", "accuracy/validation"} <= tags
