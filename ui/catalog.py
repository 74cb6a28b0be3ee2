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
    PageEntry("pages/tensors.py", "Tensor playground", "🧊", "Tensors & autograd",
              "Create, index, reshape and combine tensors; see strides, views, NumPy sharing and GPU speed."),
    PageEntry("pages/autograd.py", "Autograd visualizer", "🕸️", "Tensors & autograd",
              "Type an expression, see the backward graph with values and gradients, check the chain "
              "rule by hand, and train a network with hand-written backprop next to autograd."),
    PageEntry("pages/conv.py", "Convolution & pooling", "🔲", "Vision",
              "Slide a kernel over numbers and photos, pool, see VGG19's learnt filters and compute layer shapes."),
    PageEntry("pages/augment.py", "Augmentation previewer", "🎛️", "Vision",
              "Build a transforms.v2 pipeline on your own image and preview many random draws, boxes included."),
    PageEntry("pages/style_transfer.py", "Style transfer", "🎨", "Vision",
              "Paint a photo in the style of a painting with VGG19 features and Gram matrices; watch it form live."),
    PageEntry("pages/lstm.py", "LSTM sentiment", "🎬", "Sequences",
              "Train a recurrent classifier on movie reviews live; look at tokens, GloVe embeddings and LSTM gates."),
    PageEntry("pages/rnn_lab.py", "RNN lab", "🔁", "Sequences",
              "Hidden state made visible: predict cos from sin, and a surname's language letter by letter."),
    PageEntry("pages/playground.py", "Network playground", "🧠", "Training",
              "A small MLP learns a 2-D classifier live: data sets, layers, optimizers, the boundary redrawn."),
    PageEntry("pages/image_classifier.py", "Image classifier", "🧪", "Training",
              "Train an MLP or a CNN on Fashion-MNIST, MNIST, digits or CIFAR-10 live; see its confusion matrix and mistakes."),
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
