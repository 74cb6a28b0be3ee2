"""Features are computed once per picture, found again by id, and equal to running the backbone directly."""
import torch

from lib.transfer import backbone as bb
from lib.transfer import data, features


class Counting:
    """Wraps a backbone's prefix to count the pictures it sees."""

    def __init__(self, backbone):
        self.seen = 0
        self.inner = backbone.prefix

    def __call__(self, x):
        self.seen += len(x)
        return self.inner(x)

    def parameters(self):
        return self.inner.parameters()


def counting_backbone(vgg):
    spy = Counting(vgg)
    return bb.Backbone(vgg.key, vgg.source, spy, vgg.block, vgg.normalization, vgg.resize, vgg.crop,
                       vgg.prefix_layers, vgg.block_name), spy


def test_extraction_matches_the_backbone_and_runs_each_picture_once(vgg, shapes):
    backbone, spy = counting_backbone(vgg)
    bank = features.FeatureBank(("k",))
    small = data.few_shot(shapes, "fashion", 5, 30, 0)
    steps = list(features.extract_draw(backbone, bank, small, batch=16))
    assert steps[-1].done == steps[-1].total == 5 * 3 + 2 * 3 + 30 == spy.seen
    larger = data.few_shot(shapes, "fashion", 8, 30, 0)  # nested: only 3 new training pictures per class
    assert features.to_extract(larger, bank) == 9
    list(features.extract_draw(backbone, bank, larger))
    assert spy.seen == 51 + 9
    f = features.draw_features(larger, bank)
    with torch.no_grad():
        maps = vgg.maps(larger.train_x)
        torch.testing.assert_close(f.train.pooled, bb.pool(vgg.block(maps), maps))
    torch.testing.assert_close(f.train.maps.float(), maps, atol=2e-2 * maps.abs().max().item(), rtol=1e-2)  # float16
    assert f.train.maps.dtype == torch.float16 and torch.equal(f.test.labels, larger.test_y)


def test_over_budget_maps_are_dropped_and_the_prefix_reruns_instead(vgg, draw, monkeypatch):
    monkeypatch.setattr(features, "MAPS_BUDGET", 10_000)
    bank = features.FeatureBank(("k",))
    list(features.extract_draw(vgg, bank, draw))
    f = features.draw_features(draw, bank)
    assert not bank.keep_maps and f.train.maps is None
    idx = torch.tensor([0, 3])
    torch.testing.assert_close(features.block_input(vgg, f.train, idx), vgg.maps(draw.train_x[idx]))


def test_block_input_reads_cached_maps(feats, vgg, draw):
    idx = torch.tensor([1, 2])
    got = features.block_input(vgg, feats.train, idx)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, vgg.maps(draw.train_x[idx]), atol=0.05 * got.abs().max().item(), rtol=1e-2)


def test_a_store_keeps_one_bank_per_backbone_and_pool_and_drops_the_oldest(vgg):
    store = features.FeatureStore()
    a = store.bank(vgg, "fashion")
    assert store.bank(vgg, "fashion") is a
    store.bank(vgg, "own:1")
    store.bank(vgg, "own:2")
    assert len(store.banks) == features.MAX_BANKS and a not in store.banks
