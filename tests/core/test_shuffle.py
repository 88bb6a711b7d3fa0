"""Shuffled pixels and the small CNN (mnistcore/shuffle.py, models.SmallCNN) on the shipped sample: the CNN runs in the
training engine, shuffling costs it, and a shift costs it less than the lesson's model. The full-MNIST figures of the
lesson's model are in tests/core/test_distort.py."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mnistcore import models, shuffle
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train

DS = load_dataset("mnist", "sample")


def test_the_permutation_is_fixed_and_unshuffling_undoes_it():
    order = shuffle.permutation()
    assert torch.equal(order, shuffle.permutation()) and sorted(order.tolist()) == list(range(784))
    data = to_tensors(DS)
    mixed = shuffle.shuffled(data, order)
    assert torch.equal(mixed.x_valid[:, order.argsort()], data.x_valid)  # the same order for train and validation
    assert torch.equal(mixed.x_train[:, order.argsort()], data.x_train)
    w = np.random.default_rng(0).normal(size=(10, 784)).astype(np.float32)
    back = shuffle.unshuffle(w, order)
    with torch.no_grad():  # a template put back scores the plain image as the learned one scored the shuffled image
        assert torch.allclose(data.x_valid[:50] @ torch.from_numpy(back).T, mixed.x_valid[:50] @ torch.from_numpy(w).T,
                              atol=1e-4)


def test_the_cnn_reads_the_engine_s_flat_images_and_comes_back_from_its_file():
    cnn = models.build("cnn")
    out = cnn(torch.randn(5, 784))
    assert out.shape == (5, 10) and torch.allclose(out.exp().sum(dim=1), torch.ones(5), atol=1e-5)
    assert torch.allclose(out, F.log_softmax(out, dim=1), atol=1e-6)  # log-probabilities, as NLL wants
    assert models.kind_of(cnn) == "cnn" and "cnn" not in models.NAMES  # the training page offers the three
    again = models.from_file(models.to_file(cnn), "cnn")
    assert all(torch.equal(a, b) for a, b in zip(cnn.state_dict().values(), again.state_dict().values()))
    with pytest.raises(ValueError):  # an uploaded file is tried against the training page's models only
        models.from_state_dict(cnn.state_dict())
    weights, titles = models.templates(cnn)
    assert weights.shape == (8, 9) and titles[0] == "filter 0"


def test_the_engine_trains_the_cnn():
    result = train(TrainConfig(model="cnn", max_steps=30, eval_every=0), to_tensors(DS))
    assert result.status == "done" and result.steps == 30 and result.valid_accuracy > 0.5


@pytest.fixture(scope="module")
def runs():
    """The four runs of the page on the sample (a few seconds in all)."""
    return {run[:2]: shuffle.run(DS, (*run, 0)) for run in shuffle.RUNS}


def test_shuffling_costs_the_cnn_and_a_shift_costs_it_less(runs):
    assert runs["cnn", True]["accuracy"] < runs["cnn", False]["accuracy"] - 0.05  # measured: 83.9% -> 66.0%
    assert abs(runs["linear", True]["accuracy"] - runs["linear", False]["accuracy"]) < 0.02
    k = shuffle.SHIFTS.index(shuffle.SHIFT_SHOWN)
    lost = {kind: runs[kind, False]["shift"][0] - runs[kind, False]["shift"][k] for kind in ("linear", "cnn")}
    assert lost["cnn"] < lost["linear"], lost  # measured on the sample: 30 points against 40
    assert runs["linear", False]["templates"].shape == (10, 784) and "templates" not in runs["cnn", False]


def test_the_words_carry_the_runs_numbers(runs):
    said = shuffle.says(runs)
    assert set(said) == {"linear", "cnn", "shift"}
    assert f"{runs['linear', True]['accuracy']:.2%}" in said["linear"] and "neighbours" in said["linear"]
    assert f"{runs['cnn', True]['accuracy']:.2%}" in said["cnn"]
    assert shuffle.says({}) == {}
