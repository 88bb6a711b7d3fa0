"""How it learns: derivatives by formula and autograd, one SGD step both ways, ReLU fits, and the measured claims."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mnistcore import learning as L
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors

finite = st.floats(-20, 20, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(a=finite, b=finite, seed=st.integers(0, 2**16))
def test_formula_derivatives_equal_autograd(a, b, seed):
    x, y = L.line_points(seed=seed)
    for formula, auto in zip(L.formula_grads(a, b, x, y), L.autograd_grads(a, b, x, y)):
        assert formula == pytest.approx(auto, abs=1e-6, rel=1e-9)


def test_a_small_rate_settles_and_a_large_one_diverges():
    x, y = L.line_points()
    for lr, expected in ((0.1, "settled"), (1.0, "diverging")):
        path = [(-2.0, -4.0)]
        for _ in range(150):
            path.append(L.descend(*path[-1], lr, x, y))
            if L.verdict([L.mse(a, b, x, y) for a, b in path]) == "diverging":
                break
        assert L.verdict([L.mse(a, b, x, y) for a, b in path]) == expected
    best = np.polyfit(x, y, 1)
    path = [(-2.0, -4.0)]
    for _ in range(300):
        path.append(L.descend(*path[-1], 0.1, x, y))
    np.testing.assert_allclose(path[-1], best, atol=1e-4)  # gradient descent finds least squares


@pytest.fixture(scope="module")
def batch():
    data = to_tensors(load_dataset("mnist", "sample"))
    return L.nth_batch(data.x_train, data.y_train, 0, 0)


def test_one_step_lowers_the_batch_loss_and_the_optimizer_equals_the_hand_update(batch):
    result = L.sgd_step(L.fresh_state(0), *batch, lr=0.1)
    assert result["difference"] <= 1e-6 and result["loss_after"] < result["loss_before"]
    assert result["grad"].shape == (10, 784)
    np.testing.assert_allclose(result["update"], -0.1 * result["grad"], atol=1e-6)  # the move is -lr x gradient


def test_twenty_steps_start_the_templates(batch):
    data = to_tensors(load_dataset("mnist", "sample"))
    state, first = L.fresh_state(0), None
    for k in range(20):
        step = L.sgd_step(state, *L.nth_batch(data.x_train, data.y_train, k, 0), lr=0.1)
        first = first or step["loss_before"]
        state = step["state"]
    assert step["loss_after"] < first * 0.6


@pytest.mark.parametrize("target", list(L.TARGETS))
def test_twenty_relu_units_fit_far_better_than_one(target):
    one, twenty = L.relu_fit(target, 1), L.relu_fit(target, 20)
    assert twenty["error"] < one["error"] / 5
    np.testing.assert_allclose(twenty["pieces"].sum(axis=0) + twenty["bias"], twenty["fit"], atol=1e-4)  # pieces add up


def test_the_claims_are_measured_not_quoted():
    ds = load_dataset("mnist", "sample")
    rows = L.sklearn_vs_ours(ds)
    assert [r["what"].split()[0] for r in rows] == ["scikit-learn", "ours:"]
    assert all(r["seconds"] > 0 and 0.5 < r["accuracy"] <= 1 for r in rows)
    speed = L.epoch_per_device(ds)
    assert len(speed) == (2 if torch.cuda.is_available() else 1) * len(L.CLAIM_BATCHES)
    assert [r["batch"] for r in speed[:2]] == [64, 1024] and speed[0]["accuracy"] > speed[1]["accuracy"]  # 16x the steps
    assert all(r["seconds"] > 0 and r["images_per_second"] > 0 for r in speed)
