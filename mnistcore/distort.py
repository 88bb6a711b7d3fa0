"""Changes to the digits a model reads: shift, rotate, scale, noise, blur, thicker or thinner strokes, a hidden
square, invert. Each works on a whole batch of pixel images (N, 28, 28) in [0, 1] at once, in torch, BEFORE the
images are normalized with the training mean and std, as a new photo would arrive."""

import functools
import math
import warnings
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mnistcore import models
from mnistcore.data import Dataset
from mnistcore.prepare import train_stats


@dataclass(frozen=True)
class Changes:
    """How much of each change to make; the defaults leave the images as they are."""

    dx: int = 0  # pixels to the right (negative: to the left)
    dy: int = 0  # pixels down (negative: up)
    rotate: int = 0  # degrees, anticlockwise on screen
    scale: float = 1.0  # size, about the centre (0.6 shrinks, 1.4 grows)
    noise: float = 0.0  # standard deviation of Gaussian noise, in pixel units (ink is 1, paper 0)
    blur: float = 0.0  # standard deviation of a Gaussian blur, in pixels
    stroke: int = 0  # pixels added on each side of a stroke (negative: taken away)
    hide: int = 0  # side of the square hidden in the middle of the picture, in pixels
    invert: float = 0.0  # 0 as it is, 1 the negative (black ink on white), between them a blend


@dataclass(frozen=True)
class Switch:
    """One change as a student meets it: its name in `Changes`, its words and the amounts it can take."""

    key: str
    label: str
    amounts: tuple  # what the switch offers, and where its curve is measured
    unit: str  # how an amount is written, a format string
    help: str
    tick: str  # an amount on a small chart's axis, in few characters
    axis: str  # what those ticks count

    @property
    def neutral(self) -> float:
        """The amount that leaves the images as they are."""
        return getattr(NEUTRAL, self.key)

    def words(self, amount: float) -> str:
        """`amount` as the switch writes it ("+2 px")."""
        return self.unit.format(amount)


SWITCHES = (
    Switch("dx", "Shift right", tuple(range(-6, 7)), "{:+d} px", "Every digit moves this many pixels to the right.",
           "{:+d}", "px"),
    Switch("dy", "Shift down", tuple(range(-6, 7)), "{:+d} px", "Every digit moves this many pixels down.", "{:+d}", "px"),
    Switch("rotate", "Rotate", tuple(range(-45, 50, 5)), "{:+d}°", "Anticlockwise, about the picture's centre.", "{:+d}°",
           "degrees"),
    Switch("scale", "Scale", tuple(round(0.6 + 0.1 * i, 1) for i in range(9)), "×{:.1f}", "Smaller or larger, about "
           "the centre.", "×{:.1f}", "size"),
    Switch("noise", "Noise", tuple(round(0.1 * i, 1) for i in range(11)), "σ {:.1f}", "Gaussian noise added to every "
           "pixel (ink is 1, paper 0), then clipped to [0, 1].", "{:.1f}", "σ"),
    Switch("blur", "Blur", (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), "σ {:.1f} px", "A Gaussian blur of this width.", "{:.1f}",
           "σ in px"),
    Switch("stroke", "Strokes", (-2, -1, 0, 1, 2, 3), "{:+d} px", "Thicker (a max-pool) or thinner (a min-pool): "
           "pixels added or taken away on each side of every stroke.", "{:+d}", "px"),
    Switch("hide", "Hidden square", (0, 4, 6, 8, 10, 12, 14), "{:d} px", "A square of paper laid over the middle of "
           "the picture, this many pixels wide.", "{:d}", "px"),
    Switch("invert", "Invert", (0.0, 0.25, 0.5, 0.75, 1.0), "{:.0%}", "Blend towards the negative: at 100% black ink "
           "on white paper.", "{:.0%}", "of the way to the negative"),
)
NEUTRAL = Changes()


def describe(changes: Changes) -> str:
    """The changes that are on, in words ("shift right +2 px, blur σ 1.0 px"), or "none"."""
    on = [f"{s.label.lower()} {s.words(getattr(changes, s.key))}" for s in SWITCHES if getattr(changes, s.key) != s.neutral]
    return ", ".join(on) or "none"


def shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Images `x` (N, H, W) moved `dx` pixels right and `dy` down; what moves in is paper (0)."""
    if dx == 0 and dy == 0:
        return x
    _, h, w = x.shape
    out = torch.zeros_like(x)  # (N, H, W)
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        x[:, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


@functools.lru_cache(maxsize=8)
def warp_matrix(degrees: float, factor: float, h: int = 28, w: int = 28) -> torch.Tensor:
    """The sparse (H*W, H*W) matrix that turns a flattened image `degrees` anticlockwise and scales it by `factor` about
    its centre, bilinear: grid_sample's own answer for each of the H*W one-pixel images, kept."""
    a = math.radians(degrees)
    # for each output pixel, where to read the input: the inverse turn and scale (x right, y down)
    theta = torch.tensor([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0]]) / factor  # (2, 3)
    grid = F.affine_grid(theta[None], [1, 1, h, w], align_corners=False)  # (1, H, W, 2)
    basis = torch.eye(h * w).view(1, h * w, h, w)  # (1, H*W, H, W): image i is pixel i alone, as the i-th channel
    moved = F.grid_sample(basis, grid, mode="bilinear", padding_mode="zeros", align_corners=False)  # (1, H*W, H, W)
    with warnings.catch_warnings():  # "sparse CSR support is in beta": matrix @ dense is all we use
        warnings.simplefilter("ignore", UserWarning)
        return moved.reshape(h * w, h * w).T.to_sparse_csr()  # (out pixel, in pixel): at most 4 weights a row


def warp(x: torch.Tensor, degrees: float = 0.0, factor: float = 1.0) -> torch.Tensor:
    """Images `x` (N, H, W) turned `degrees` anticlockwise and scaled by `factor` about the centre, bilinear.

    The same change for every image is one sparse matrix product: three times faster on 10,000 images than
    grid_sample over them, with the same numbers."""
    if degrees == 0 and factor == 1:
        return x
    n, h, w = x.shape
    return (warp_matrix(degrees, factor, h, w) @ x.reshape(n, h * w).T).T.reshape(n, h, w)  # (HW, HW) @ (HW, N) -> (N, H, W)


@functools.lru_cache(maxsize=4)
def _draw(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """One draw of standard Gaussian noise of `shape`, kept: a switch move then costs an add, not a new draw."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def noise(x: torch.Tensor, std: float, seed: int = 0) -> torch.Tensor:
    """Images `x` (N, H, W) with Gaussian noise of `std` added (the same draw for the same seed), clipped to [0, 1]."""
    if std == 0:
        return x
    return torch.add(x, _draw(tuple(x.shape), seed), alpha=std).clamp_(0, 1)  # (N, H, W)


def gaussian_kernel(sigma: float) -> torch.Tensor:
    """A 1-D Gaussian (k,) of standard deviation `sigma` pixels, summing to 1, k = 2 * ceil(3 sigma) + 1."""
    radius = math.ceil(3 * sigma)
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)  # (k,)
    kernel = torch.exp(-t ** 2 / (2 * sigma ** 2))
    return kernel / kernel.sum()


def band(kernel: torch.Tensor, n: int) -> torch.Tensor:
    """The (n, n) matrix that convolves a line of `n` pixels with `kernel` (k,), zeros beyond its ends."""
    r = len(kernel) // 2
    offset = torch.arange(n)[None, :] - torch.arange(n)[:, None]  # (n, n): column minus row
    return torch.where(offset.abs() <= r, kernel[(offset + r).clamp(0, len(kernel) - 1)], 0.0)


def blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Images `x` (N, H, W) blurred by a Gaussian of `sigma` pixels: down the columns, then along the rows.

    A Gaussian blur is separable, so it is two matrix products, B_h @ x @ B_w^T; as a 2-D convolution of one
    channel, PyTorch's CPU kernel took 20 times longer on 10,000 images."""
    if sigma == 0:
        return x
    kernel = gaussian_kernel(sigma)  # (k,)
    _, h, w = x.shape
    return band(kernel, h) @ x @ band(kernel, w).T  # (H, H) @ (N, H, W) @ (W, W) -> (N, H, W)


def neighbourhood_max(x: torch.Tensor, r: int) -> torch.Tensor:
    """Each pixel of images `x` (N, H, W) replaced by the largest in the (2r + 1)-square around it: a max-pool of stride 1
    (`F.max_pool2d(x, 2r + 1, 1, r)`), taken along the rows and then down the columns, three times faster here."""
    n, h, w = x.shape
    k = 2 * r + 1
    rows = F.max_pool1d(x.reshape(n * h, 1, w), k, stride=1, padding=r).view(n, h, w)  # along each row
    cols = F.max_pool1d(rows.transpose(1, 2).reshape(n * w, 1, h), k, stride=1, padding=r)  # down each column
    return cols.view(n, w, h).transpose(1, 2)  # (N, H, W)


def stroke(x: torch.Tensor, px: int) -> torch.Tensor:
    """Strokes of images `x` (N, H, W) made `px` pixels thicker on each side (a max-pool), or thinner (a min-pool)."""
    if px == 0:
        return x
    if px > 0:  # each pixel takes the brightest of its neighbours: ink spreads
        return neighbourhood_max(x, px)
    return -neighbourhood_max(-x, -px)  # the darkest: ink wears away


def hide(x: torch.Tensor, side: int) -> torch.Tensor:
    """Images `x` (N, H, W) with a square of paper `side` pixels wide laid over their middle."""
    if side == 0:
        return x
    _, h, w = x.shape
    top, left = (h - side) // 2, (w - side) // 2
    out = x.clone()
    out[:, top:top + side, left:left + side] = 0
    return out


def invert(x: torch.Tensor, amount: float) -> torch.Tensor:
    """Images `x` (N, H, W) blended towards their negative: 0 leaves them, 1 gives black ink on white."""
    if amount == 0:
        return x
    return x.mul(1 - 2 * amount).add_(amount)  # (1 - amount) * x + amount * (1 - x)


def apply(x: torch.Tensor, changes: Changes, seed: int = 0) -> torch.Tensor:
    """Images `x` (N, 28, 28) in [0, 1] with every change made: the picture moves first, then the ink changes, then
    the paper is covered, inverted and made noisy."""
    x = warp(x, changes.rotate, changes.scale)
    x = shift(x, changes.dx, changes.dy)
    x = stroke(x, changes.stroke)
    x = blur(x, changes.blur)
    x = hide(x, changes.hide)
    x = invert(x, changes.invert)
    return noise(x, changes.noise, seed)


def pixels(images: np.ndarray) -> torch.Tensor:
    """Bytes (N, 28, 28) as floats in [0, 1]: the pixel space every change works in."""
    return torch.tensor(images).float().div_(255)  # (N, 28, 28), a copy: the data set's arrays are read-only


@torch.no_grad()
def predict(model: nn.Module, x: torch.Tensor, mean: float, std: float, chunk: int = 1024) -> torch.Tensor:
    """The class `model` gives each pixel image `x` (N, 28, 28), normalized with the TRAINING `mean` and `std`; in
    chunks, since a CNN's activations for 10,000 images at once took longer to fill than to compute."""
    model.eval()
    flat = ((x - mean) / std).reshape(len(x), -1)  # (N, 28, 28) -> (N, 784)
    return torch.cat([model(flat[i:i + chunk]).argmax(dim=1) for i in range(0, len(flat), chunk)])  # (N,)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mean: float, std: float) -> float:
    """The share of pixel images `x` (N, 28, 28) that `model` reads as their labels `y` (N,)."""
    return (predict(model, x, mean, std) == y).float().mean().item()


def examples(y: np.ndarray, k: int = 6) -> list[int]:
    """The first image of each of the first `k` classes met in labels `y`: `k` digits that differ."""
    first = {}
    for i, label in enumerate(y.tolist()):
        first.setdefault(label, i)
        if len(first) == k:
            break
    return list(first.values())


@dataclass(frozen=True)
class Look:
    """A model on every validation image, before and after the changes."""

    accuracy_before: float
    accuracy: float  # after the changes
    labels: list[int]  # the shown digits' true classes
    before: np.ndarray  # (k, 28, 28) the shown digits as they are, in [0, 1]
    after: np.ndarray  # (k, 28, 28) the same digits changed
    read_before: list[int]  # what the model reads in each shown digit
    read_after: list[int]


def look(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mean: float, std: float, changes: Changes, shown: list[int],
         seed: int = 0) -> Look:
    """`model` on pixel images `x` (N, 28, 28) with labels `y` (N,), as they are and with `changes` made."""
    changed = apply(x, changes, seed)  # (N, 28, 28)
    before, after = predict(model, x, mean, std), predict(model, changed, mean, std)  # (N,), (N,)
    return Look((before == y).float().mean().item(), (after == y).float().mean().item(), y[shown].tolist(), x[shown].numpy(),
                changed[shown].numpy(), before[shown].tolist(), after[shown].tolist())


def curve(model: nn.Module, x: torch.Tensor, y: torch.Tensor, mean: float, std: float, switch: Switch,
          seed: int = 0) -> list[float]:
    """The accuracy `model` keeps on images `x` (N, 28, 28) at each of `switch`'s amounts, the others left alone."""
    return [accuracy(model, apply(x, replace(NEUTRAL, **{switch.key: a}), seed), y, mean, std) for a in switch.amounts]


def curves(ds: Dataset, weights: bytes, seed: int = 0) -> dict[str, list[float]]:
    """For the model in `weights`: each switch's key -> the accuracy on all of `ds`'s validation images at each of
    its amounts (a page computation: about a hundred passes over the validation set)."""
    model, (mean, std) = models.from_file(weights), train_stats(ds)
    x, y = pixels(ds.x_valid), torch.tensor(ds.y_valid)  # (N, 28, 28), (N,)
    return {s.key: curve(model, x, y, mean, std, s, seed) for s in SWITCHES}


assert {s.key for s in SWITCHES} == {f.name for f in fields(Changes)}  # a switch for every change, and no other
