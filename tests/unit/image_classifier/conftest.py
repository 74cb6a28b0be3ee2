"""Shared fixtures of the image-classifier tests: the 8x8 digits, prepared on the CPU."""
import pytest
import torch

from lib.image_classifier import datasets, pipeline


@pytest.fixture(scope="session")
def digits() -> datasets.ImageSet:
    """scikit-learn's 8x8 digits: small, offline, ten classes."""
    return datasets.load("digits8")


@pytest.fixture(scope="session")
def prepared(digits) -> pipeline.Prepared:
    """The digits split 80/20 on the CPU, 400 training images."""
    return pipeline.prepare(digits, torch.device("cpu"), 0.2, 0, limit=400)
