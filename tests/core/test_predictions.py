"""Confusion matrix, ranked mistakes and pixel evidence, on a model trained in the test."""

import numpy as np
import pytest
import torch

from mnistcore import models, predictions
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train


@pytest.fixture(scope="module")
def trained():
    ds = load_dataset("mnist", "sample")
    data = to_tensors(ds)
    model = train(TrainConfig(epochs=2), data).model
    return ds, data, model, predictions.probabilities(model, data.x_valid)


def test_confusion_counts_every_image_once():
    y, p = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
    c = predictions.confusion(y, p, 3)
    assert c.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    np.testing.assert_allclose(predictions.row_rates(c)[2], [1 / 3, 0, 2 / 3])
    np.testing.assert_allclose(predictions.per_class_accuracy(np.eye(3)[p], y, 3), [0.5, 1.0, 2 / 3])


def test_probabilities_are_a_distribution(trained):
    _, _, _, probs = trained
    assert probs.shape == (1000, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_mistakes_ranked_by_confidence_and_by_loss(trained):
    ds, _, _, probs = trained
    r = predictions.rank(probs, ds.y_valid, "wrong", predictions.ORDERS[0])
    assert len(r.index) == int((probs.argmax(1) != ds.y_valid).sum()) > 0
    assert (r.pred != r.true).all()
    assert (np.diff(r.confidence) <= 0).all()
    by_loss = predictions.rank(probs, ds.y_valid, "wrong", predictions.ORDERS[1])
    assert (np.diff(by_loss.loss) <= 0).all()
    assert sorted(by_loss.index) == sorted(r.index)


def test_filter_to_one_confusion_cell(trained):
    ds, _, _, probs = trained
    counts = predictions.confusion(ds.y_valid, probs.argmax(1))
    off = counts.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(off.argmax(), off.shape)
    r = predictions.rank(probs, ds.y_valid, "wrong", predictions.ORDERS[0], int(t), int(p))
    assert len(r.index) == counts[t, p] and (r.true == t).all() and (r.pred == p).all()


def test_unsure_but_right_least_confident_first(trained):
    ds, _, _, probs = trained
    r = predictions.rank(probs, ds.y_valid, "unsure")
    assert (r.pred == r.true).all() and (np.diff(r.confidence) >= 0).all()


def test_evidence_sums_to_the_score_minus_bias(trained):
    _, data, model, _ = trained
    x = data.x_valid[0]
    logits = model[0](x[None])[0]  # (10,) before the log-softmax
    for c in (0, 7):
        ev = predictions.evidence(model, x, c)
        assert ev.shape == (28, 28)
        assert ev.sum() + model[0].bias[c].item() == pytest.approx(logits[c].item(), abs=1e-4)


def test_random_order_is_seeded(trained):
    ds, _, _, probs = trained
    a = predictions.rank(probs, ds.y_valid, "wrong", "random", seed=1).index
    b = predictions.rank(probs, ds.y_valid, "wrong", "random", seed=1).index
    assert (a == b).all()
    assert not (a == predictions.rank(probs, ds.y_valid, "wrong", "random", seed=2).index).all()


def test_the_evidences_one_colour_scale_covers_all_three_pictures():
    torch.manual_seed(0)
    model = models.build("linear")
    x = torch.randn(784)
    ev = predictions.explain(model, x, true=None)
    assert ev.predicted == int(np.argmax(ev.probabilities)) and ev.other != ev.predicted
    for picture in (ev.for_predicted, ev.for_other, ev.for_predicted - ev.for_other):
        assert np.abs(picture).max() <= ev.limit + 1e-9
    assert ev.limit == pytest.approx(max(np.abs(p).max() for p in (ev.for_predicted, ev.for_other,
                                                                    ev.for_predicted - ev.for_other)))
