"""lib/image_classifier/evaluation.py: evaluation helpers, error analysis, a picture's guess, the two demos."""
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from lib.image_classifier import evaluation as E
from lib.image_classifier import models as M
from lib.image_classifier import pipeline as P

MLP = M.PRESETS[M.DEFAULT_PRESET]
LABELS = torch.tensor([0, 0, 1, 1, 2])
PROBS = torch.tensor([[.9, .1, 0], [.2, .7, .1], [.1, .8, .1], [.05, .05, .9], [0, 0, 1.]])


def test_confusion_matrix_per_class_and_confident_wrong():
    cm = E.confusion_matrix(PROBS.argmax(1), LABELS, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert E.per_class_accuracy(cm).tolist() == [0.5, 0.5, 1.0]
    assert E.most_confident_wrong(PROBS, LABELS, 5).tolist() == [3, 1]  # 0.9 wrong before 0.7 wrong


def test_error_report():
    ev = E.Evaluation(0.5, 0.6, PROBS, PROBS.argmax(1))
    report = E.error_report(ev, LABELS, 3)
    assert report.confusion.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report.per_class.tolist() == [0.5, 0.5, 1.0] and report.weakest == 0  # the first of the tied lowest


def test_evaluate_matches_manual(prepared):
    model = M.build(MLP, (1, 8, 8), 10)
    ev = E.evaluate(model, nn.NLLLoss(), prepared.test_x, prepared.test_y)
    model.eval()
    with torch.no_grad():
        out = model(P.as_input(prepared.test_x))
    assert ev.loss == pytest.approx(nn.NLLLoss()(out, prepared.test_y).item(), rel=1e-5)
    assert ev.accuracy == pytest.approx((out.argmax(1) == prepared.test_y).float().mean().item())
    torch.testing.assert_close(ev.probs.sum(1), torch.ones(len(prepared.test_y)))


def test_confident_mistakes_name_the_classes(digits):
    n = len(digits.test_y)
    preds = (digits.test_y + 1) % 10  # every answer wrong...
    probs = torch.full((n, 10), 0.05)
    probs[torch.arange(n), preds] = 0.2
    probs[7, preds[7]] = 0.55           # ...and image 7 the surest
    mistakes = E.confident_mistakes(E.Evaluation(1.0, 0.0, probs, preds), digits, 3)
    first = mistakes[0]
    assert len(mistakes) == 3 and first.true == digits.test_label(7) and first.said == str(int(preds[7]))
    assert first.confidence == pytest.approx(0.55) and np.array_equal(first.image, digits.test_x[7, 0].numpy())
    sure = torch.nn.functional.one_hot(digits.test_y, 10).float()
    right = E.Evaluation(0.0, 1.0, sure, digits.test_y.clone())
    assert E.confident_mistakes(right, digits, 3) == []


def test_classify_picture_sees_the_data_sets_format():
    model = M.build(MLP, (1, 8, 8), 10)
    img = Image.new("RGB", (40, 40), "white")
    img.paste((0, 0, 0), (15, 5, 25, 35))
    guess = E.classify_picture(model, img, (1, 8, 8), tuple("0123456789"))
    pixels = P.image_to_pixels(img, (1, 8, 8))
    expected = E.predict_proba(model, pixels)[0]
    assert guess.seen.shape == (8, 8) and np.array_equal(guess.seen, pixels[0, 0].numpy())
    assert guess.probs == pytest.approx(expected.tolist()) and guess.best == str(int(expected.argmax()))
    assert E.classify_picture(model, img, (1, 8, 8), tuple("0123456789"), invert=False).seen[0, 0] > 200


def test_dropout_demo_train_mode_varies_eval_mode_fixed(prepared):
    model = M.build(M.with_changes(MLP, dropout=0.5), (1, 8, 8), 10)
    train_p, eval_p = E.dropout_demo(model, prepared.test_x[:1], repeats=3)
    assert not torch.allclose(train_p[0], train_p[1])
    torch.testing.assert_close(eval_p, E.predict_proba(model, prepared.test_x[:1])[0])


def test_modes_demo_on_the_first_test_image(digits):
    spec = M.with_changes(MLP, dropout=0.5)
    model = M.build(spec, (1, 8, 8), 10)
    demo = E.modes_demo(model, spec, digits, repeats=3, seed=0)
    train_p, eval_p = E.dropout_demo(model, digits.test_x[:1], repeats=3, seed=0)
    assert demo.train_probs == train_p.tolist() and demo.eval_probs == eval_p.tolist()
    assert demo.label == digits.test_label(0) and demo.differ
    plain = M.with_changes(MLP, dropout=0.0)
    assert not E.modes_demo(M.build(plain, (1, 8, 8), 10), plain, digits).differ


def test_loss_demo_cross_entropy_equals_nll_of_log_softmax():
    demo = E.loss_demo()
    assert demo.scores == [[2.0, 0.5, -1.0]] and demo.target == [0]
    expected = -np.log(np.exp(2.0) / np.exp([2.0, 0.5, -1.0]).sum())
    assert demo.cross_entropy == pytest.approx(expected, rel=1e-6)
    assert demo.nll_of_log_softmax == pytest.approx(demo.cross_entropy, rel=1e-6)
