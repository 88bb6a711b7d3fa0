"""The lesson's model meets a class's handwriting (mnistcore/classroom/handwriting.py), on real digits and a real
trained model: MNIST's own validation digits, read as drawings, give the model's own accuracy back."""

import numpy as np
import pytest

from mnistcore import train
from mnistcore.classroom import handwriting
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors


@pytest.fixture(scope="module")
def sample_and_model():
    ds = load_dataset("mnist", "sample")
    data = to_tensors(ds)
    model = train.train(train.TrainConfig(epochs=2), data).model.eval()
    return ds, data, model


def test_mnist_digits_read_as_drawings_give_the_models_own_accuracy(sample_and_model):
    ds, data, model = sample_and_model
    own = train.evaluate(model, data.x_valid, data.y_valid)[1]
    ref = handwriting.reference(ds, own)
    assert ref.means.shape == (10, 28, 28) and not np.isnan(ref.means).any()
    met = handwriting.meet(model, ds.x_valid, ds.y_valid, ref)
    assert met.accuracy == pytest.approx(own, abs=1e-6)  # normalized as the model was trained: the same numbers
    assert met.counts.sum() == len(ds.y_valid) and np.trace(met.counts) == round(own * len(ds.y_valid))
    assert list(met.truth_probability[met.hardest]) == sorted(met.truth_probability)[:handwriting.HARDEST]
    assert met.mnist_accuracy == own and "worse than" not in handwriting.sentence(met)


def test_a_digit_nobody_drew_has_no_mean_and_worse_digits_are_said_so(sample_and_model):
    ds, _, model = sample_and_model
    ref = handwriting.reference(ds, 0.99)
    some = np.flatnonzero(ds.y_valid != 7)[:50]
    met = handwriting.meet(model, 255 - ds.x_valid[some], ds.y_valid[some], ref)  # inverted: ink on white paper
    assert np.isnan(met.ours[7]).all() and not np.isnan(met.ours[3]).any()
    assert met.accuracy < 0.5 and "worse than the 99.0%" in handwriting.sentence(met)
