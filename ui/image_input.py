"""One image picker for every page: a sample from assets/ or a validated upload."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st
from PIL import Image

from lib.common.images import UPLOAD_TYPES, ImageError, open_image
from lib.common.samples import PHOTOS, load_sample
from ui import links
from ui.i18n import _, option_labels, translate


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
    param: str | None = None,
) -> Picked:
    """Let the user pick a sample or upload a file; returns the image (or None) and its name.

    Bad uploads (not an image, truncated, decompression bombs...) are explained
    with `st.error` next to the uploader and give no image; large images are shrunk
    to `max_side` with a note saying so. With `param`, the chosen sample is in the page's link;
    an upload cannot travel, so its link falls back to the default sample (pages say so in their
    share panel).
    """
    names = list(samples or PHOTOS)
    first = default if default in names else names[0]
    codec = links.option_codec(names)
    if param:
        links.before_widget(f"{key}.sample", param, first, codec, lambda v: v in names)
    sources = {"Sample": _("Sample"), "Upload": _("Upload")}
    source = st.radio(label or _("Image"), list(sources), horizontal=True, key=f"{key}.source",
                      format_func=option_labels(sources))
    name = st.selectbox(_("Sample image"), names, index=names.index(first), key=f"{key}.sample",
                        format_func=option_labels({n: n for n in names})) if source == "Sample" else None
    if param:
        links.after_widget(param, name or first, first, codec)
        if problem := links.problem(param):
            st.warning(problem, icon="🔗")
    if name is not None:
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
