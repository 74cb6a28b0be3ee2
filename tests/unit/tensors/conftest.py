"""Shared fixtures of the tensor tests: the CPU, and one sample photo."""
import pytest
import torch

from lib.common.samples import load_sample


@pytest.fixture
def cpu() -> torch.device:
    return torch.device("cpu")


@pytest.fixture(scope="module")
def photo():
    """Chelsea the cat, 451 x 300: the rank examples shrink her to 96 x 64."""
    return load_sample("Cat (Chelsea)")
