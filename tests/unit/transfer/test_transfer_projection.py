"""PCA against NumPy's SVD, the nearest-neighbour score, and pixels vs features on the shapes."""
import numpy as np
import pytest
import torch

from lib.transfer import projection as P


def test_pca_matches_numpy_up_to_sign_and_explains_the_variance():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 6)) @ np.diag([5, 3, 1, 0.5, 0.2, 0.1])
    coords, share = P.pca_2d(torch.from_numpy(x))
    centred = x - x.mean(0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(np.abs(coords), np.abs(u[:, :2] * s[:2]), atol=1e-9)
    np.testing.assert_allclose(share, (s[:2] ** 2) / (s**2).sum(), atol=1e-12)
    flipped, _ = P.pca_2d(torch.from_numpy(-x))  # the sign rule: the same picture whatever the data's sign
    np.testing.assert_allclose(np.abs(flipped), np.abs(coords), atol=1e-9)
    again, _ = P.pca_2d(torch.from_numpy(x))
    np.testing.assert_array_equal(again, coords)


@pytest.mark.parametrize("points, labels, expected", [
    ([[0.0], [0.1], [5.0], [5.1]], [0, 0, 1, 1], 1.0),   # two tight clusters
    ([[0.0], [0.1], [5.0], [5.1]], [0, 1, 0, 1], 0.0),   # every neighbour is of the other class
    ([[0.0], [1.0]], [0, 0], 1.0),
])
def test_nearest_neighbour_accuracy(points, labels, expected):
    assert P.nearest_neighbour_accuracy(torch.tensor(points), torch.tensor(labels)) == expected


def test_features_separate_the_shapes_better_than_pixels(draw, feats):
    proj = P.project(torch.cat([draw.train_x, draw.val_x]), torch.cat([feats.train.pooled, feats.val.pooled]),
                     torch.cat([draw.train_y, draw.val_y]))
    assert proj.raw.shape == proj.features.shape == (21, 2)
    assert proj.features_nn_acc >= proj.raw_nn_acc and proj.features_nn_acc >= 0.9
    assert 0 < sum(proj.features_explained) <= 1


def test_raw_pixels_are_shrunk_and_points_subsampled_per_class():
    assert P.raw_pixels(torch.zeros(2, 3, 160, 160, dtype=torch.uint8)).shape == (2, 3 * 32 * 32)
    labels = torch.tensor([0] * 500 + [1] * 500)
    idx = P.subsample(1000, labels, most=100)
    assert torch.bincount(labels[idx]).tolist() == [50, 50]
