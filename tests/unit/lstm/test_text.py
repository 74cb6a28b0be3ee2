"""lib/lstm/text.py, corpus.py and glove.py: tokenising, vocabulary, padding, bucketing, data loading, GloVe."""
import numpy as np
import pandas as pd
import pytest
import torch

from lib.lstm import corpus
from lib.lstm import glove as G
from lib.lstm import text as tx


@pytest.mark.parametrize("kind, text, expected", [
    ("whitespace", "It's GOOD, really.", ["it's", "good,", "really."]),   # classic split keeps punctuation on
    ("regex", "It's GOOD, really.", ["it", "'s", "good", ",", "really", "."]),  # GloVe-style clitics
    ("regex", "   ", []),                                                     # nothing to tokenise
])
def test_tokenize(kind, text, expected):
    assert tx.tokenize(text, kind) == expected


def test_tokenize_keeps_case_when_asked_and_rejects_unknown_kind():
    assert tx.tokenize("Hi There", "whitespace", lower=False) == ["Hi", "There"]
    with pytest.raises(ValueError, match="Unknown tokenizer"):
        tx.tokenize("x", "bpe")


def test_vocab_min_freq_max_size_and_specials():
    lists = [["a", "b", "a"], ["a", "c", "b"], ["d"]]
    vocab = tx.build_vocab(lists, min_freq=2)
    assert vocab.itos == ("<pad>", "<unk>", "a", "b")  # c and d appear once
    assert tx.build_vocab(lists, max_size=3).itos == ("<pad>", "<unk>", "a")  # max_size counts specials
    with_bounds = tx.build_vocab(lists, sos_eos=True)
    assert with_bounds.itos[:4] == ("<pad>", "<unk>", "<sos>", "<eos>")
    assert tx.numericalise(["a", "zzz"], with_bounds) == [2, 4, 1, 3]


def test_numericalise_truncates_and_marks_unknown():
    vocab = tx.build_vocab([["x", "y"]])
    assert tx.numericalise(["y", "q", "x", "x"], vocab, max_len=3) == [3, 1, 2]


def test_pad_batch_dynamic_fixed_and_time_first():
    ids, lengths = tx.pad_batch([[5, 6, 7], [8]])
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]] and lengths.tolist() == [3, 1]
    fixed, lengths = tx.pad_batch([[5, 6, 7], [8]], fix_length=2)
    assert fixed.tolist() == [[5, 6], [8, 0]] and lengths.tolist() == [2, 1]
    time_first, _ = tx.pad_batch([[5, 6, 7], [8]], batch_first=False)
    assert time_first.shape == (3, 2) and time_first[:, 1].tolist() == [8, 0, 0]


def test_bucketing_covers_every_row_once_wastes_less_and_is_seeded():
    lengths = torch.randint(1, 60, (1000,), generator=torch.Generator().manual_seed(1)).tolist()
    buckets = tx.bucket_batches(lengths, 32, seed=3)
    assert sorted(i for b in buckets for i in b) == list(range(1000))
    assert buckets == tx.bucket_batches(lengths, 32, seed=3)
    assert buckets != tx.bucket_batches(lengths, 32, seed=4)
    naive = tx.shuffled_batches(1000, 32, seed=3)
    assert tx.padding_waste(lengths, buckets)["waste"] < tx.padding_waste(lengths, naive)["waste"] / 3


def test_padding_waste_formula():
    stats = tx.padding_waste([1, 3, 2], [[0, 1], [2]], fix_length=None)
    assert stats == {"real_tokens": 6, "padded_cells": 8, "waste": 0.25, "timesteps": 5}
    assert tx.padding_waste([1, 3, 2], [[0, 1], [2]], fix_length=4)["padded_cells"] == 12


def test_embedded_corpus_drops_plot_rows():
    data = corpus.load_embedded_corpus()
    assert len(data) == 12_808 and data.classes == ("rotten", "fresh")
    assert sum(data.labels) == 7_403  # fresh = 1


def test_split_is_fixed_and_disjoint():
    split = corpus.split_indices(100, seed=0)
    assert split == corpus.split_indices(100, seed=0) and split != corpus.split_indices(100, seed=1)
    assert sorted(split.train + split.valid + split.test) == list(range(100))
    assert (len(split.valid), len(split.test)) == (10, 10)


def _csv(rows: int, labels=("pos", "neg")) -> bytes:
    frame = pd.DataFrame({"review": [f"text {i}" for i in range(rows)], "y": [labels[i % len(labels)] for i in range(rows)]})
    return frame.to_csv(index=False).encode()


def test_csv_upload_happy_path_three_classes():
    frame = corpus.read_csv_upload(_csv(30, ("a", "b", "c")))
    data = corpus.dataset_from_frame(frame, "review", "y")
    assert data.classes == ("a", "b", "c") and len(data) == 30 and set(data.labels) == {0, 1, 2}


@pytest.mark.parametrize("data, column, match", [
    ("é".encode("latin-1") * 30, None, "not UTF-8"),        # non-UTF-8 bytes
    (b"", None, "empty"),                                  # empty upload
    (_csv(30), "missing", "no column 'missing'"),          # chosen column absent
    (_csv(30, ("only",)), "y", "same label"),              # a single class
    (_csv(5), "y", "at least 20"),                         # too few rows
])
def test_csv_bad_input_says_why(data, column, match):
    with pytest.raises(ValueError, match=match):
        frame = corpus.read_csv_upload(data)
        corpus.dataset_from_frame(frame, "review", column)


def test_download_is_never_attempted_offline(tmp_path):
    with pytest.raises(ValueError, match="downloading is switched off"):
        corpus.download_polarity(tmp_path, allow_download=False)


@pytest.fixture(scope="module")
def glove():
    return G.load_glove()


def test_glove_neighbours_analogy_and_pca(glove):
    assert glove.vectors.shape == (400_000, 50)
    assert G.neighbours(glove, "good", 1)[0][0] == "better"  # cosine 0.93
    assert G.analogy(glove, "man", "king", "woman", 1)[0][0] == "queen"
    kept, xy, unknown = G.pca_2d(glove, ["good", "bad", "film", "qqqzzz"])
    assert kept == ["good", "bad", "film"] and unknown == ["qqqzzz"] and xy.shape == (3, 2)
    np.testing.assert_allclose(xy.mean(axis=0), 0, atol=1e-9)  # PCA coordinates are centred
    with pytest.raises(ValueError, match="does not know"):
        G.neighbours(glove, "qqqzzz")


def test_embedding_matrix_copies_glove_rows_and_zeroes_pad(glove):
    weight, coverage = G.embedding_matrix(glove, ("<pad>", "<unk>", "movie", "qqqzzz"), seed=0)
    assert coverage == 0.25 and weight[0].abs().sum() == 0
    torch.testing.assert_close(weight[2], torch.from_numpy(np.array(glove.vectors[glove.index["movie"]])))


@pytest.mark.parametrize("kind, expected", [
    ("chars", ["这", "部", "电", "影", "很", "好", "看", "!"]),   # one token per character
    ("jieba", ["这部", "电影", "很", "好看", "!"]),               # jieba's words
    ("regex", ["这部电影很好看", "!"]),                           # no spaces: one clause, one token
])
def test_chinese_text_is_cut_by_the_chinese_tokenizers(kind, expected):
    assert tx.tokenize("这部电影很好看!", kind) == expected


def test_mixed_keeps_every_row_once_in_a_fixed_order():
    data = corpus.TextDataset(tuple("abcdefghij"), (0,) * 5 + (1,) * 5, ("n", "p"), "t")
    mixed = corpus.mixed(data)
    assert mixed == corpus.mixed(data) and mixed != corpus.mixed(data, seed=1)
    assert sorted(zip(mixed.texts, mixed.labels)) == sorted(zip(data.texts, data.labels))
    assert set(mixed.labels[:4]) == {0, 1}
