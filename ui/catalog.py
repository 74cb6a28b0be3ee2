"""The table of pages: app.py builds the navigation from it, the home page the tour.

Titles, sections and blurbs are English msgids (marked with N_ for extraction) shown through `_`.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib.common.messages import N_
from ui.i18n import _


@dataclass(frozen=True)
class PageEntry:
    path: str     # file under pages/
    title: str
    icon: str
    section: str  # navigation group
    blurb: str    # one or two lines for the home page


TENSORS, VISION, SEQUENCES, TRAINING = (N_("Tensors & autograd"), N_("Vision"), N_("Sequences"), N_("Training"))
SECTIONS = (TENSORS, VISION, SEQUENCES, TRAINING)

# A new page: copy a page trio (pages/<topic>.py, lib/<topic>/, tests) and add its line here.
PAGES: list[PageEntry] = [
    PageEntry("pages/tensors.py", N_("Tensor playground"), "🧊", TENSORS,
              N_("Create, index, reshape and combine tensors; see strides, views, NumPy sharing and GPU speed.")),
    PageEntry("pages/autograd.py", N_("Autograd visualizer"), "🕸️", TENSORS,
              N_("Type an expression, see the backward graph with values and gradients, check the chain rule by "
                 "hand, and train a network with hand-written backprop next to autograd.")),
    PageEntry("pages/conv.py", N_("Convolution & pooling"), "🔲", VISION,
              N_("Slide a kernel over numbers and photos, pool, see VGG19's learnt filters and compute layer "
                 "shapes.")),
    PageEntry("pages/augment.py", N_("Augmentation previewer"), "🎛️", VISION,
              N_("Build a transforms.v2 pipeline on your own image and preview many random draws, boxes included.")),
    PageEntry("pages/style_transfer.py", N_("Style transfer"), "🎨", VISION,
              N_("Paint a photo in the style of a painting with VGG19 features and Gram matrices; watch it form "
                 "live.")),
    PageEntry("pages/lstm.py", N_("LSTM sentiment"), "🎬", SEQUENCES,
              N_("Train a recurrent classifier on movie reviews live; look at tokens, GloVe embeddings and LSTM "
                 "gates.")),
    PageEntry("pages/rnn_lab.py", N_("RNN lab"), "🔁", SEQUENCES,
              N_("Hidden state made visible: predict cos from sin, and a surname's language letter by letter.")),
    PageEntry("pages/playground.py", N_("Network playground"), "🧠", TRAINING,
              N_("A small MLP learns a 2-D classifier live: data sets, layers, optimizers, the boundary redrawn.")),
    PageEntry("pages/image_classifier.py", N_("Image classifier"), "🧪", TRAINING,
              N_("Train an MLP or a CNN on Fashion-MNIST, MNIST, digits or CIFAR-10 live; see its confusion matrix "
                 "and mistakes.")),
    PageEntry("pages/transfer.py", N_("Transfer learning"), "♻️", TRAINING,
              N_("Reuse a pretrained VGG19 or ResNet on a few pictures per class: frozen features, a new head, then "
                 "fine-tuning; your own classes and webcam too.")),
]


def navigation() -> dict[str, list]:
    """`st.navigation` input: the home page, then one group per section, in the session's language."""
    home = st.Page("pages/home.py", title=_("Home"), icon="🏠", default=True)
    groups: dict[str, list] = {"": [home]}
    for section in SECTIONS:
        pages = [st.Page(p.path, title=_(p.title), icon=p.icon) for p in PAGES if p.section == section]
        if pages:
            groups[_(section)] = pages
    return groups
