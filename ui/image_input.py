"""One image picker for every page: a sample from assets/ or a validated upload."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st
from PIL import Image

from lib.common.images import UPLOAD_TYPES, ImageError, open_image
from lib.common.samples import PHOTOS, load_sample
from ui.i18n import _, translate


class Picked(NamedTuple):
    """The picked image (8-bit RGB, None when there is none yet) and the name to show for it."""

    image: Image.Image | None
    name: str | None


@st.cache_data(show_spinner=False)
def _sample(name: str) -> Image.Image:
    return load_sample(name)  # read-only: st.cache_data hands each caller a copy


def image_input(
    key: str,
    *,
    label: str | None = None,
    max_side: int = 1024,
    samples: dict[str, str] | None = None,
    default: str | None = None,
) -> Picked:
    """Let the user pick a sample or upload a file; returns the image (or None) and its name.

    Bad uploads (not an image, truncated, decompression bombs...) are explained
    with `st.error` next to the uploader and give no image; large images are shrunk
    to `max_side` with a note saying so.
    """
    names = list(samples or PHOTOS)
    sources = {"Sample": _("Sample"), "Upload": _("Upload")}
    source = st.radio(label or _("Image"), list(sources), horizontal=True, key=f"{key}.source",
                      format_func=sources.get)
    if source == "Sample":
        index = names.index(default) if default in names else 0
        name = st.selectbox(_("Sample image"), names, index=index, key=f"{key}.sample", format_func=_)
        image = _sample(name)
        if max(image.size) > max_side:
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return Picked(image, name)
    upload = st.file_uploader(
        _("Upload an image"), type=UPLOAD_TYPES, key=f"{key}.upload",
        help=_("PNG, JPEG, WebP, BMP, GIF (first frame) or TIFF. Large images are shrunk."),
    )
    if upload is None:
        st.info(_("Upload an image above, or switch to a sample."))
        return Picked(None, None)
    try:
        loaded = open_image(upload.getvalue(), max_side=max_side)
    except ImageError as e:
        st.error(f"**{upload.name}**: {translate(e)}", icon="🖼️")
        return Picked(None, upload.name)
    for note in loaded.notes:
        st.caption(f"ℹ️ {translate(note)}")
    return Picked(loaded.image, upload.name)
