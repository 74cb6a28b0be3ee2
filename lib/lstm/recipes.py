"""Presets: the page's fast default and the movie-review tutorial's own recipe, each one click away.

Choosing a preset sets every widget to its settings; each says where it comes from and, for the tutorial,
how it differs from the default and why.
"""
from __future__ import annotations

from dataclasses import replace

from lib.common.messages import N_
from lib.common.recipes import Recipe, pick
from lib.lstm.config import LstmConfig

DEFAULT = LstmConfig()

# The tutorial's recipe: `text.split()` tokens, every review padded (and cut) to 70 tokens, frozen GloVe rows,
# a bidirectional LSTM of 20 units per direction, max-pool over time -> 40 features, then Linear(40, 16) ->
# ReLU -> Linear(16, 1) with BCEWithLogitsLoss (no phrase shortcut), no dropout, keeping the weights of the best validation epoch.
# What the recipe leaves open takes common choices (Adam at its default 0.001, batch 32); the vectors are our
# GloVe 6B 50d (the wheel we ship), whatever width the tutorial's were.
TUTORIAL = replace(DEFAULT, tokenizer="whitespace", fix_length=70, bucketing=False, pack=False, embedding="glove",
                   freeze=True, hidden=20, bidirectional=True, num_layers=1, pooling="max", head_hidden=16,
                   head_dropout=0.0, embed_dropout=0.0, word_dropout=0.0, optimizer="adam", lr=1e-3, batch_size=32,
                   epochs=10, patience=0, keep="best", ema=0.0, phrases=0)


RECIPES: dict[str, Recipe] = {
    "default": Recipe(DEFAULT, N_("Page default (fast)"), N_(
        "Fine-tuned GloVe, word dropout (in training a fifth of the words become `<unk>`), a bidirectional LSTM "
        "of 64 units, max-pool, dropout before the output, a phrase shortcut beside the LSTM (a learned score for "
        "every phrase of up to 3 words, added to its output), dynamic padding with length buckets, Adam at 0.003; "
        "validation checks a moving average of the weights (EMA, "
        "decay 0.99) rather than the last step's; it keeps the best check's weights and stops early once "
        "validation stops improving.")),
    "tutorial": Recipe(TUTORIAL, N_("Tutorial recipe (frozen GloVe, pad to 70, 40-16-1 head)"), N_(
        "The movie-review tutorial's recipe: `text.split()` tokens, every review padded to 70 tokens, frozen "
        "GloVe vectors, a bidirectional LSTM of 20 units per direction, max-pool over time (40 numbers), then "
        "`Linear(40, 16)`, ReLU and `Linear(16, 1)`, keeping the weights of the best validation epoch. What the "
        "recipe leaves open is set to common choices: Adam at its default rate 0.001, batch 32, 10 epochs. The vectors are "
        "this page's GloVe 6B **50d** (50 numbers per word), whatever width the tutorial's had."), N_(
        "**How this differs from the default, and why.** The default fine-tunes the GloVe rows (sentiment "
        "words such as 'good' and 'bad' sit close together in GloVe because they appear in the same places; "
        "training moves them apart), uses 64 units per direction instead of 20 and one linear layer after the "
        "pooling with dropout 0.5 against over-fitting on 10,000 short snippets; in training it also turns a "
        "fifth of the words into `<unk>` (word dropout), so that no single word decides a review. Beside the LSTM "
        "it learns a score for every phrase of up to 3 words (a phrase shortcut, as in fastText): the LSTM "
        "reads word order across the text, the shortcut scores phrases like \"not funny\" directly, and "
        "together they gain a point of validation accuracy. It pads each "
        "batch only to its longest text and groups texts of similar length, so the LSTM steps through about "
        "three times fewer positions than with padding to 70; it splits punctuation off words (`good,` becomes "
        "`good` `,`, which GloVe knows), and takes bigger steps (Adam 0.003, batch 128), so it needs fewer, "
        "cheaper epochs; big steps are noisy, so it scores and keeps a moving average of the recent weights. "
        "Both keep the best validation weights; the default also stops early.")),
}


def recipe(preset: str) -> Recipe:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return pick(RECIPES, preset)