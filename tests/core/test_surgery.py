"""Edits inside the lesson's model (mnistcore/surgery.py), checked against the same edits made by hand in PyTorch."""

import numpy as np
import pytest
import torch

from mnistcore import models, surgery
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train

DS = load_dataset("mnist", "sample")
DATA = to_tensors(DS)
MODEL = train(TrainConfig(seed=0, eval_every=0), DATA).model.eval()  # the lesson's epoch on the sample: 1-2 s
X, Y = DATA.x_valid, DS.y_valid


def by_hand(w: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """The predictions of scores x @ w.T + b."""
    with torch.no_grad():
        return (X @ w.T + b).argmax(dim=1).numpy()


def test_no_edit_is_the_model_itself():
    out = surgery.outcome(MODEL, surgery.Edits(), X, Y)
    assert out.accuracy == pytest.approx(float((MODEL(X).argmax(dim=1).numpy() == Y).mean()))
    assert out.counts.sum() == len(Y) and np.trace(out.counts) == round(out.accuracy * len(Y))
    w0 = MODEL[0].weight.detach().clone()
    surgery.outcome(MODEL, surgery.Edits(zero_bias=True, zero_class=3, blend=1.0), X, Y)
    assert torch.equal(MODEL[0].weight, w0)  # the edits are made on a copy


def test_each_edit_is_the_same_edit_by_hand():
    w, b = MODEL[0].weight.detach(), MODEL[0].bias.detach()
    no_bias = surgery.outcome(MODEL, surgery.Edits(zero_bias=True), X, Y)
    assert no_bias.accuracy == pytest.approx(float((by_hand(w, torch.zeros(10)) == Y).mean()))
    w3 = w.clone()
    w3[3] = 0
    no_three = surgery.outcome(MODEL, surgery.Edits(zero_class=3), X, Y)
    assert no_three.accuracy == pytest.approx(float((by_hand(w3, b) == Y).mean()))
    half = surgery.outcome(MODEL, surgery.Edits(blend=0.5), X, Y)
    assert half.accuracy == pytest.approx(float((by_hand(0.5 * w + 0.5 * w.mean(dim=0), b) == Y).mean()))


def test_zeroing_a_template_takes_its_class_away():
    before = surgery.outcome(MODEL, surgery.Edits(), X, Y)
    after = surgery.outcome(MODEL, surgery.Edits(zero_class=1), X, Y)
    assert after.counts[:, 1].sum() < before.counts[:, 1].sum() / 5  # hardly any image is read as 1 any more
    assert after.accuracy < before.accuracy


def test_fully_blended_templates_leave_only_the_biases():
    after = surgery.outcome(MODEL, surgery.Edits(blend=1.0), X, Y)
    read = after.counts.sum(axis=0)  # (10,): how many images are read as each class
    assert read[int(MODEL[0].bias.argmax())] == len(Y)  # every image is read as the class with the largest bias
    assert np.allclose(after.weights, after.weights[0], atol=1e-6)


def test_the_from_scratch_model_is_edited_the_same_way_and_an_mlp_is_refused():
    scratch = models.build("logreg")
    w, b = surgery.parts(scratch)
    assert w.shape == (10, 784) and torch.equal(w, scratch.l1_w.detach().T) and torch.equal(b, scratch.l1_b.detach())
    with pytest.raises(ValueError, match="no single template"):
        surgery.parts(models.build("mlp"))


def test_the_sentences_say_what_the_numbers_say():
    edits = surgery.Edits(zero_bias=True, zero_class=7, blend=1.0)
    before, _, alone = surgery.study(MODEL, edits, X, Y)
    said = surgery.says(edits, before, alone, DS.classes)
    assert len(said) == 3
    assert f"{alone['bias'].accuracy:.1%}" in said[0] and f"{before.accuracy:.1%}" in said[0]
    assert f"{alone['class'].counts[7, 7]:,} of the {alone['class'].counts[7].sum():,} 7s" in said[1]
    assert f"read as {DS.classes[int(MODEL[0].bias.argmax())]}, the class with the largest bias" in said[2]
    assert surgery.says(surgery.Edits(), before, {}, DS.classes) == []
