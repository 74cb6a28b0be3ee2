"""The backbone cut in two (prefix and block) computes what the whole network computes; pooling; the copies
that fine-tuning trains never touch the shared weights; ResNets only from the hub cache, never downloaded."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lib.common.vgg import load_vgg19_features
from lib.transfer import backbone as bb


def test_vgg_prefix_then_block_is_vgg_down_to_relu5_1(vgg):
    whole = load_vgg19_features("conv5_1", "cpu")
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        expected = F.relu(whole.layers(whole.normalization.apply(x)))
        got = vgg.block(vgg.prefix(whole.normalization.apply(x)))
    torch.testing.assert_close(got, expected)
    assert vgg.prefix_layers[-1] == "pool4" and len(vgg.prefix_layers) == 28


def test_prepare_resizes_and_repeats_grey(vgg):
    grey = torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8)
    x = vgg.prepare(grey)
    assert x.shape == (4, 3, 64, 64)
    torch.testing.assert_close(x[:, 0] - x[:, 1], torch.full_like(x[:, 0], x[0, 0, 0, 0] - x[0, 1, 0, 0]))
    rgb = torch.randint(0, 256, (2, 3, 160, 160), dtype=torch.uint8)
    assert vgg.prepare(rgb).shape == (2, 3, 64, 64)


def test_pool_gives_unit_vectors_of_mean_and_max(vgg):
    maps = torch.rand(3, 512, 4, 4)
    out = torch.rand(3, 512, 4, 4)
    v = bb.pool(out, maps)
    assert v.shape == (3, 2048) == (3, vgg.feature_dim())
    torch.testing.assert_close(v.norm(dim=1), torch.ones(3))
    raw = torch.cat([out.mean((2, 3)), out.amax((2, 3)), maps.mean((2, 3)), maps.amax((2, 3))], 1)
    torch.testing.assert_close(v, F.normalize((raw + 1e-6).sqrt(), dim=1))


def test_pool_has_finite_gradients_where_activations_are_zero():
    out = torch.zeros(2, 8, 2, 2, requires_grad=True)
    bb.pool(F.relu(out), torch.rand(2, 4, 2, 2)).sum().backward()
    assert torch.isfinite(out.grad).all()


def test_a_trainable_block_is_a_copy_the_shared_weights_never_change(vgg):
    shared = vgg.block[0].weight.detach().clone()
    block = bb.trainable_block(vgg)
    assert all(p.requires_grad for p in block.parameters())
    assert not any(p.requires_grad for p in vgg.block.parameters()) and not any(
        p.requires_grad for p in vgg.prefix.parameters())
    opt = torch.optim.SGD(block.parameters(), lr=1.0)
    block(torch.rand(1, 512, 4, 4)).sum().backward()
    opt.step()
    assert not torch.equal(block[0].weight, shared)
    assert torch.equal(vgg.block[0].weight, shared)


def test_train_mode_keeps_batch_norm_statistics_frozen():
    block = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.Dropout())
    bb.train_mode(block)
    assert block.training and block[2].training and not block[1].training
    before = block[1].running_mean.clone()
    block(torch.randn(8, 3, 4, 4) + 5)
    assert torch.equal(block[1].running_mean, before)


# ---------------------------------------------------------------- ResNets: the hub cache, never a download

def fake_hub(tmp_path, key="resnet18"):
    """A hub cache holding randomly initialised weights under torchvision's file name."""
    from torchvision import models
    weights = bb.resnet_weights(key, tmp_path)
    path = bb.weights_file(weights, tmp_path)
    path.parent.mkdir(parents=True)
    torch.save(getattr(models, key)().state_dict(), path)
    return tmp_path


def test_resnet_is_not_offered_without_its_cached_weights_and_never_downloads(tmp_path, monkeypatch):
    assert bb.cached("vgg19", tmp_path) and not bb.cached("resnet18", tmp_path)
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", lambda *a, **k: pytest.fail("downloaded"))
    with pytest.raises(ValueError, match="not in the torch hub cache"):
        bb.load_resnet("resnet18", "cpu", allow_download=False, hub_dir=tmp_path)


def test_resnet_from_the_cache_is_cut_at_layer4(tmp_path):
    hub = fake_hub(tmp_path)
    assert bb.cached("resnet18", hub)
    net = bb.load_resnet("resnet18", "cpu", hub_dir=hub)
    assert (net.resize, net.crop) == (256, 224) and net.block_name == "layer4"
    assert "IMAGENET1K_V1" in net.source and net.feature_dim() == 2 * (512 + 256)
    from torchvision import models
    whole = models.resnet18()
    whole.load_state_dict(torch.load(bb.weights_file(bb.resnet_weights("resnet18", hub), hub), weights_only=True))
    whole.eval()
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        expected = whole.layer4(whole.layer3(whole.layer2(whole.layer1(whole.maxpool(whole.relu(whole.bn1(
            whole.conv1(x))))))))
        torch.testing.assert_close(net.block(net.prefix(x)), expected)


def test_a_broken_cache_file_is_explained(tmp_path):
    path = bb.weights_file(bb.resnet_weights("resnet18", tmp_path), tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not weights")
    with pytest.raises(ValueError, match="could not be loaded"):
        bb.load_resnet("resnet18", "cpu", hub_dir=tmp_path)
