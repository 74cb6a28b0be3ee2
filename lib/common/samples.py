"""The embedded sample images and data files in assets/ (see assets/ATTRIBUTION.md)."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from lib.common.messages import N_

ASSETS = Path(__file__).resolve().parents[2] / "assets"
NAMES_DIR = ASSETS / "names"

# display name (an English msgid: pages show it translated) -> file in assets/images
PHOTOS: dict[str, str] = {
    N_("Astronaut"): "astronaut.jpg",
    N_("Cat (Chelsea)"): "chelsea.jpg",
    N_("Coffee"): "coffee.jpg",
    N_("Rocket"): "rocket.jpg",
    N_("Cameraman (greyscale)"): "camera.png",
}
PAINTINGS: dict[str, str] = {
    N_("The Starry Night (van Gogh)"): "starry_night.jpg",
    N_("The Scream (Munch)"): "the_scream.jpg",
}
SAMPLE_IMAGES: dict[str, str] = {**PHOTOS, **PAINTINGS}


def sample_path(name: str) -> Path:
    """Path of a sample image by its display name."""
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"There is no sample image called {name!r}.")
    return ASSETS / "images" / SAMPLE_IMAGES[name]


def load_sample(name: str) -> Image.Image:
    """A sample image as 8-bit RGB (the cameraman is greyscale on disk)."""
    with Image.open(sample_path(name)) as img:
        return img.convert("RGB")
