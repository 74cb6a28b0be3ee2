"""lib.common.datasets: the idx reader and the shared loaders' labels."""
import gzip

import numpy as np

from lib.common.datasets import CIFAR_CLASSES, FASHION_CLASSES, read_idx


def test_read_idx_header(tmp_path):
    raw = bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big") + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(12))
    (tmp_path / "x.gz").write_bytes(gzip.compress(raw))
    assert read_idx(tmp_path / "x.gz").tolist() == np.arange(12).reshape(2, 2, 3).tolist()


def test_class_names_are_the_data_sets_own():
    assert len(FASHION_CLASSES) == len(CIFAR_CLASSES) == 10
    assert (FASHION_CLASSES[0], FASHION_CLASSES[9], CIFAR_CLASSES[0]) == ("T-shirt/top", "Ankle boot", "airplane")
