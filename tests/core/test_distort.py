"""The changes to the digits (mnistcore/distort.py) against PyTorch's own operations and plain geometry, and what
they cost the lesson's model on full MNIST."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mnistcore import distort, models, shuffle, train
from mnistcore.data import load_dataset
from mnistcore.prepare import train_stats

SAMPLE = load_dataset("mnist", "sample")
X = distort.pixels(SAMPLE.x_valid[:64])  # (64, 28, 28) real digits in [0, 1]


def mass_centre(x: torch.Tensor) -> torch.Tensor:
    """The ink's centre (row, column) of each image (N, 28, 28) -> (N, 2)."""
    rows, cols = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    total = x.sum(dim=(1, 2))
    return torch.stack([(x * rows).sum(dim=(1, 2)) / total, (x * cols).sum(dim=(1, 2)) / total], dim=1)


@pytest.mark.parametrize("switch", distort.SWITCHES, ids=lambda s: s.key)
def test_every_amount_keeps_shape_dtype_and_range(switch):
    for amount in switch.amounts:
        out = distort.apply(X, distort.Changes(**{switch.key: amount}))
        assert out.shape == X.shape and out.dtype == torch.float32
        assert out.min() >= -1e-6 and out.max() <= 1 + 1e-6, (switch.key, amount)


@pytest.mark.parametrize("switch", distort.SWITCHES, ids=lambda s: s.key)
def test_the_neutral_amount_leaves_the_digits_alone(switch):
    assert switch.neutral in switch.amounts
    assert torch.equal(distort.apply(X, distort.Changes(**{switch.key: switch.neutral})), X)
    assert torch.equal(X, distort.pixels(SAMPLE.x_valid[:64]))  # and never writes into its input


@pytest.mark.parametrize("dx, dy", [(1, 0), (0, 1), (-1, 0), (0, -1), (2, -3)])
def test_a_shift_moves_the_mass_centre_by_as_many_pixels(dx, dy):
    inside = X[(X[:, :4].sum(dim=(1, 2)) == 0) & (X[:, -4:].sum(dim=(1, 2)) == 0)
               & (X[:, :, :4].sum(dim=(1, 2)) == 0) & (X[:, :, -4:].sum(dim=(1, 2)) == 0)]  # no ink near the edges
    assert len(inside) > 10
    moved = mass_centre(distort.shift(inside, dx, dy)) - mass_centre(inside)
    assert torch.allclose(moved, torch.tensor([float(dy), float(dx)]).expand_as(moved), atol=1e-4)


def test_a_shift_off_the_picture_leaves_paper():
    assert distort.shift(X, 28, 0).abs().sum() == 0
    assert torch.equal(distort.shift(X, 3, 0)[:, :, :3], torch.zeros(64, 28, 3))


def test_a_turn_anticlockwise_takes_the_top_to_the_left():
    blob = torch.zeros(1, 28, 28)
    blob[0, 3:7, 12:16] = 1  # ink at the top, in the middle
    centre = mass_centre(distort.warp(blob, 90))[0]
    assert abs(centre[0].item() - 13.5) < 0.2 and centre[1].item() < 7  # the middle row, the left side
    back = distort.warp(distort.warp(X, 30), -30)  # turned there and back: the same digits, a little blurred
    assert (back - X)[:, 6:22, 6:22].abs().mean() < 0.06 < (distort.warp(X, 30) - X)[:, 6:22, 6:22].abs().mean()


def test_the_turn_is_grid_sample_s():
    theta = torch.tensor([[[0.8, -0.6, 0.0], [0.6, 0.8, 0.0]]]) / 1.2  # cos, sin of 36.87 degrees, scaled by 1.2
    grid = F.affine_grid(theta, [1, 1, 28, 28], align_corners=False)
    reference = F.grid_sample(X[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    assert torch.allclose(distort.warp(X, math.degrees(math.atan2(0.6, 0.8)), 1.2), reference, atol=1e-5)


def test_scaling_spreads_the_ink_from_the_centre_by_the_factor():
    rows, cols = torch.meshgrid(torch.arange(28.0) - 13.5, torch.arange(28.0) - 13.5, indexing="ij")

    def spread(x: torch.Tensor) -> torch.Tensor:
        return ((x * (rows ** 2 + cols ** 2)).sum(dim=(1, 2)) / x.sum(dim=(1, 2))).sqrt()  # (N,)

    ratio = (spread(distort.warp(X, 0, 1.3)) / spread(X)).median().item()
    assert 1.2 < ratio < 1.4
    assert (spread(distort.warp(X, 0, 0.7)) / spread(X)).median().item() < 0.8


def test_blur_is_the_2d_gaussian_convolution():
    for sigma in (0.5, 1.0, 2.5):
        k = distort.gaussian_kernel(sigma)
        reference = F.conv2d(X[:, None], torch.outer(k, k)[None, None], padding=len(k) // 2)[:, 0]
        assert torch.allclose(distort.blur(X, sigma), reference, atol=1e-5)
        assert abs(k.sum().item() - 1) < 1e-6


@pytest.mark.parametrize("px", [1, 2, 3])
def test_thicker_is_a_max_pool_and_thinner_a_min_pool(px):
    size = 2 * px + 1
    assert torch.equal(distort.stroke(X, px), F.max_pool2d(X[:, None], size, stride=1, padding=px)[:, 0])
    assert torch.equal(distort.stroke(X, -px), -F.max_pool2d(-X[:, None], size, stride=1, padding=px)[:, 0])
    ink = (X > 0.5).sum()
    assert (distort.stroke(X, px) > 0.5).sum() > ink > (distort.stroke(X, -px) > 0.5).sum()


def test_the_hidden_square_is_paper_and_the_rest_untouched():
    out = distort.hide(X, 8)
    assert out[:, 10:18, 10:18].abs().sum() == 0
    keep = torch.ones(28, 28, dtype=torch.bool)
    keep[10:18, 10:18] = False
    assert torch.equal(out[:, keep], X[:, keep])


def test_invert_and_noise():
    assert torch.allclose(distort.invert(X, 1.0), 1 - X)
    assert torch.allclose(distort.invert(X, 0.5), torch.full_like(X, 0.5))
    grey = torch.full((200, 28, 28), 0.5)
    noisy = distort.noise(grey, 0.1, seed=3)
    assert torch.equal(noisy, distort.noise(grey, 0.1, seed=3)) and not torch.equal(noisy, distort.noise(grey, 0.1, seed=4))
    assert abs((noisy - grey).std().item() - 0.1) < 0.005


def test_every_change_at_once_on_ten_thousand_digits_is_quick():
    import time
    x = distort.pixels(np.tile(SAMPLE.x_valid, (10, 1, 1)))  # (10,000, 28, 28)
    most = distort.Changes(**{s.key: s.amounts[-1] for s in distort.SWITCHES})
    distort.apply(x, most)  # the first call loads kernels
    start = time.perf_counter()
    distort.apply(x, most)
    assert time.perf_counter() - start < 1.0  # a switch move's share of its 1 s; 0.1-0.3 s on the 2-core machine


def test_examples_are_the_first_digits_of_different_classes():
    shown = distort.examples(SAMPLE.y_valid, 6)
    assert len(set(SAMPLE.y_valid[shown].tolist())) == 6 and shown == sorted(shown)


@pytest.fixture(scope="module")
def full():
    """Full MNIST's validation pixels, the lesson's model after its epoch, and the same epoch on shuffled pixels (a few
    seconds each on the CPU)."""
    ds = load_dataset("mnist", "auto")
    assert len(ds.x_train) == 50_000, "the shipped full MNIST"
    model = models.from_file(train.lesson_model_file(ds, 0))
    x, y = distort.pixels(ds.x_valid), torch.tensor(ds.y_valid)  # (10,000, 28, 28), (10,000,)
    return model, x, y, train_stats(ds), shuffle.run(ds, ("linear", True, 0))


def test_moving_the_digits_costs_the_lesson_s_model_on_full_mnist(full):
    model, x, y, (mean, std), _ = full
    acc = [distort.accuracy(model, distort.shift(x, dx, 0), y, mean, std) for dx in range(5)]
    assert acc[0] > 0.91
    assert acc[0] - acc[2] > 0.20  # two pixels cost more than 20 points (measured: 91.9% -> 65.6%)
    assert all(a > b for a, b in zip(acc, acc[1:]))


def test_shuffled_pixels_cost_the_lesson_s_model_nothing_on_full_mnist(full):
    model, x, y, (mean, std), shuffled = full
    plain = distort.accuracy(model, x, y, mean, std)
    assert abs(shuffled["accuracy"] - plain) < 0.005  # measured: 91.88% and 91.89%


@pytest.mark.parametrize("key", ["dy", "rotate", "scale", "noise", "blur", "stroke", "hide", "invert"])
def test_each_curve_falls_away_from_the_untouched_digits(full, key):
    model, x, y, (mean, std), _ = full
    switch = next(s for s in distort.SWITCHES if s.key == key)
    curve = distort.curve(model, x, y, mean, std, switch)
    rest = curve[switch.amounts.index(switch.neutral)]
    assert rest == max(curve) and min(curve) < rest - 0.1, curve
