"""How it learns: derivatives by formula and autograd, one SGD step both ways, ReLU fits, and the measured claims."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnistcore import claims
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
    one, twenty = L.relu_fits(target, (1, 20)).values()
    alone = L.relu_fits(target, (20,))[20]  # alone or with others: the same fit (to rounding, grown over 1,500 steps)
    assert np.allclose(alone["fit"], twenty["fit"], atol=0.01) and alone["error"] == pytest.approx(twenty["error"], rel=0.02)
    assert twenty["error"] < one["error"] / 5
    np.testing.assert_allclose(twenty["pieces"].sum(axis=0) + twenty["bias"], twenty["fit"], atol=1e-4)  # pieces add up


def test_the_claims_are_measured_not_quoted():
    ds = load_dataset("mnist", "sample")
    plan = claims.trials(["cpu"])
    assert len(plan) == claims.REPEATS["epoch"] * len(claims.BATCHES) + claims.REPEATS["sklearn"]
    t = claims.collect({trial: claims.measure(ds, trial) for trial in plan})
    assert set(t) == {("epoch", "cpu", 64), ("epoch", "cpu", 1024), ("sklearn", "cpu", 64)}
    assert all(x.repeats == claims.REPEATS[what] and 0 < x.low <= x.median <= x.high for (what, _, _), x in t.items())
    assert t["epoch", "cpu", 64].accuracy > t["epoch", "cpu", 1024].accuracy  # 16x the steps
    assert 0.5 < t["sklearn", "cpu", 64].accuracy <= 1 and 0.5 < t["epoch", "cpu", 64].accuracy <= 1
    words = claims.what_they_say(t)
    assert len(words) == 2 and "does the work of 16 steps of 64" in words[1]


def timing(median: float, spread: float = 0.01, accuracy: float = 0.9) -> claims.Timing:
    """A Timing around `median` (for the wording tests: the words must follow the numbers whichever way they go)."""
    return claims.Timing(median, median - spread, median + spread, 5, accuracy)


def test_the_words_follow_the_numbers_both_ways():
    fast, slow = timing(0.12), timing(0.40)
    assert claims.compare(fast, slow) == ("faster", pytest.approx(0.40 / 0.12))
    assert claims.compare(slow, fast) == ("slower", pytest.approx(0.40 / 0.12))
    assert claims.compare(timing(0.40, 0.05), timing(0.42, 0.05))[0] == "same"  # overlapping repeats: no winner
    assert "**3.3× as fast as**" in claims.as_fast("a", "b", claims.compare(fast, slow))
    assert "**3.3× as long as**" in claims.as_fast("a", "b", claims.compare(slow, fast))
    for big_batch, verb in [(fast, "as fast as"), (slow, "as long as")]:  # the case the page got wrong: 0.40 s against 0.12 s
        small = slow if big_batch is fast else fast
        t = {("sklearn", "cpu", 64): timing(11.0), ("epoch", "cpu", 64): small, ("epoch", "cpu", 1024): big_batch}
        said = claims.what_they_say(t)[1]
        assert "the epoch at 1,024 took **3.3× as long as** the epoch at 64" in said if verb == "as long as" else \
            "the epoch at 1,024 was **3.3× as fast as** the epoch at 64" in said
        assert "less time" not in said
    t = {("sklearn", "cpu", 64): timing(11.0), ("epoch", "cpu", 64): timing(0.5), ("epoch", "cpu", 1024): timing(0.2),
         ("epoch", "cuda", 64): timing(1.0), ("epoch", "cuda", 1024): timing(0.05)}
    said = claims.what_they_say(t, gpu="cuda")
    assert "our epoch was **22.0× as fast as** scikit-learn" in said[0]
    assert "with 64 images a step, the GPU took **2.0× as long as** the CPU" in said[2] and "tiny" in said[2]
    assert "with 1,024 images a step, the GPU was **4.0× as fast as** the CPU" in said[2]
    t["epoch", "cuda", 64] = timing(0.1)
    assert "tiny" not in claims.what_they_say(t, gpu="cuda")[2]



def test_noisy_repeats_keep_a_real_gap_and_find_no_false_one():
    """A loaded machine: each repeat off by up to 1.5x either way, and now and then one 5x slower. A 4.6x gap of
    medians (the page once said 'about the same' of 0.40 s and 1.86 s) is still a gap; two equal runs stay equal."""
    rng = np.random.default_rng(0)

    def noisy(seconds: float) -> claims.Timing:
        runs = seconds * np.exp(rng.uniform(-0.4, 0.4, 5)) * np.where(rng.random(5) < 0.1, 5.0, 1.0)
        return claims.timing([{"seconds": float(r), "accuracy": 0.9} for r in runs])

    gap = [claims.compare(noisy(0.40), noisy(1.86))[0] for _ in range(300)]
    same = [claims.compare(noisy(1.0), noisy(1.0))[0] for _ in range(300)]
    assert gap.count("faster") / len(gap) >= 0.97, gap.count("faster")
    assert same.count("same") / len(same) >= 0.5 and "faster" in same and "slower" in same  # no side favoured
    assert claims.compare(noisy(1.86), noisy(0.40))[0] == "slower"
