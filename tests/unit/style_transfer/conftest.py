"""Shared fixtures of the style-transfer tests: the VGG19 features and a 32 px content/style pair."""
import pytest

from lib.common.samples import load_sample
from lib.common.vgg import load_vgg19_features
from lib.style_transfer.config import StyleConfig
from lib.style_transfer.images import prepare_images

TINY = StyleConfig(size=32, steps=2, coarse_steps=2, preview_every=1)


@pytest.fixture(scope="session")
def features():
    return load_vgg19_features("conv5_1", "cpu")


@pytest.fixture(scope="session")
def pair():
    content, style, _ = prepare_images(load_sample("Astronaut"), load_sample("The Scream (Munch)"), 32)
    return content, style
