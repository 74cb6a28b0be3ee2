"""ui.i18n: language choice, catalog lookup and translation of lib's messages."""
import pytest

from lib.common.messages import LearnerError, Message
from ui import i18n


@pytest.mark.parametrize("locale, language", [
    ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-TW", "zh"), ("ZH", "zh"),
    ("en-US", "en"), ("fr-FR", "en"), (None, "en"), ("", "en"),
])
def test_browser_language(locale, language):
    assert i18n.browser_language(locale) == language


def test_chinese_catalog_translates_and_falls_back_to_english():
    zh = i18n.catalogs("zh")
    assert zh.gettext("Vision") == "计算机视觉"
    assert zh.gettext("A sentence nobody translated") == "A sentence nobody translated"
    assert i18n.catalogs("en").gettext("Vision") == "Vision"


def test_translate_fills_values_after_translation(monkeypatch):
    monkeypatch.setattr(i18n, "current_language", lambda: "zh")
    assert i18n.translate(Message("The file has {frames} frames; using the first one.", frames=3)) == \
        "文件有 3 帧，只用第一帧。"
    assert i18n.translate(LearnerError("The file is empty.")) == "文件是空的。"
    assert i18n.translate(ValueError("torch's own message")) == "torch's own message"
    assert i18n._("Home") == "首页"
    monkeypatch.setattr(i18n, "current_language", lambda: "en")
    assert i18n.translate(Message("The file has {frames} frames; using the first one.", frames=3)) == \
        "The file has 3 frames; using the first one."
