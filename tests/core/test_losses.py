"""Our from-scratch losses against torch.nn.functional, on thousands of random inputs."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from mnistcore import losses

logit = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False, width=64)
shapes = st.tuples(st.integers(1, 8), st.integers(2, 12))


@st.composite
def logits_and_targets(draw):
    b, k = draw(shapes)
    z = torch.tensor(draw(st.lists(logit, min_size=b * k, max_size=b * k)), dtype=torch.float64).reshape(b, k)
    y = torch.tensor(draw(st.lists(st.integers(0, k - 1), min_size=b, max_size=b)))
    return z, y


@settings(max_examples=1500, deadline=None)
@given(logits_and_targets())
def test_softmax_family_matches_torch(zy):
    z, y = zy
    torch.testing.assert_close(losses.softmax(z), F.softmax(z, dim=1), atol=1e-6, rtol=0)
    torch.testing.assert_close(losses.log_softmax(z), F.log_softmax(z, dim=1), atol=1e-6, rtol=1e-9)
    torch.testing.assert_close(losses.nll(F.log_softmax(z, 1), y), F.nll_loss(F.log_softmax(z, 1), y), atol=1e-6, rtol=1e-9)
    torch.testing.assert_close(losses.cross_entropy(z, y), F.cross_entropy(z, y), atol=1e-6, rtol=1e-9)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.tuples(st.floats(1e-6, 1 - 1e-6), st.integers(0, 1)), min_size=1, max_size=20))
def test_binary_cross_entropy_matches_torch_and_if_version(rows):
    p = torch.tensor([r[0] for r in rows], dtype=torch.float64)
    y = torch.tensor([float(r[1]) for r in rows], dtype=torch.float64)
    ours = losses.binary_cross_entropy(p, y)
    torch.testing.assert_close(ours, F.binary_cross_entropy(p, y), atol=1e-6, rtol=1e-9)
    assert math.isclose(losses.binary_cross_entropy_if(p.tolist(), [int(v) for v in y]), ours.item(), abs_tol=1e-6)


@settings(max_examples=1000, deadline=None)
@given(logits_and_targets())
def test_categorical_is_the_nll_of_the_log_softmax(zy):
    z, y = zy
    z = z.clamp(-30, 30)  # the one-hot form takes log(p), which underflows for far-off classes
    one_hot = F.one_hot(y, z.shape[1]).double()
    torch.testing.assert_close(losses.categorical_cross_entropy(losses.softmax(z), one_hot),
                               F.cross_entropy(z, y), atol=1e-6, rtol=1e-9)


def test_the_lessons_binary_example_is_0_164():
    p, y = torch.tensor([0.9, 0.1, 0.2, 0.8]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    assert round(losses.binary_cross_entropy(p, y).item(), 3) == 0.164
    assert round(losses.binary_cross_entropy_if([0.9, 0.1, 0.2, 0.8], [1, 0, 0, 1]), 3) == 0.164
    rows = losses.bce_rows([0.9, 0.1, 0.2, 0.8], [1, 0, 0, 1])
    assert round(sum(r["-(y log p + (1-y) log(1-p))"] for r in rows) / 4, 3) == 0.164


def test_naive_softmax_overflows_where_ours_does_not():
    z = torch.tensor([1000.0, -1000.0, 0.0])
    assert torch.isnan(losses.naive_softmax(z)).any()
    torch.testing.assert_close(losses.softmax(z), torch.tensor([1.0, 0.0, 0.0]))
    assert torch.isfinite(losses.log_softmax(z)).all()


def test_five_ways_agree():
    values = list(losses.cross_entropy_five_ways(torch.tensor([0.0, 1.0, 3.0, -2.0]), 2).values())
    by_hand = math.log(1 + math.exp(-2) + math.exp(-3) + math.exp(-5))  # logsumexp(z) - z[2]
    assert max(values) - min(values) < 1e-12 and values[0] == pytest.approx(by_hand, abs=1e-12)


@pytest.mark.parametrize("p, y, fragment", [
    ([0.5, 1.0], [1, 1], "not strictly between 0 and 1"),
    ([0.5, 0.0], [1, 0], "not strictly between 0 and 1"),
    ([0.5], [2], "must be 0 or 1"),
    ([0.5, None], [1, 0], "incomplete"),
    ([], [], "at least one row"),
])
def test_binary_inputs_are_checked(p, y, fragment):
    assert fragment in losses.check_binary(p, y)


def test_accuracy_is_mean_of_argmax_hits():
    probs = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert losses.accuracy(probs, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)
