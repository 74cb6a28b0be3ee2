"""The table of pages: app.py builds the navigation from it, the home page the tour."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageEntry:
    path: str     # file under pages/
    title: str
    icon: str
    section: str  # navigation group
    blurb: str    # one or two lines for the home page


SECTIONS = ("Tensors & autograd", "Vision", "Sequences", "Training")

# Each page issue adds its entry here once the page really works.
PAGES: list[PageEntry] = [
    PageEntry("pages/lstm.py", "LSTM sentiment", "🎬", "Sequences",
              "Train a recurrent classifier on movie reviews live; look at tokens, GloVe embeddings and LSTM gates."),
]


def navigation() -> dict[str, list]:
    """`st.navigation` input: the home page, then one group per section."""
    home = st.Page("pages/home.py", title="Home", icon="🏠", default=True)
    groups: dict[str, list] = {"": [home]}
    for section in SECTIONS:
        pages = [st.Page(p.path, title=p.title, icon=p.icon) for p in PAGES if p.section == section]
        if pages:
            groups[section] = pages
    return groups
