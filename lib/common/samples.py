"""The embedded sample images and data files in assets/ (see assets/ATTRIBUTION.md)."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

ASSETS = Path(__file__).resolve().parents[2] / "assets"
NAMES_DIR = ASSETS / "names"

# display name -> file in assets/images
PHOTOS: dict[str, str] = {
    "Astronaut": "astronaut.jpg",
    "Cat (Chelsea)": "chelsea.jpg",
    "Coffee": "coffee.jpg",
    "Rocket": "rocket.jpg",
    "Cameraman (greyscale)": "camera.png",
}
PAINTINGS: dict[str, str] = {
    "The Starry Night (van Gogh)": "starry_night.jpg",
    "The Scream (Munch)": "the_scream.jpg",
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
