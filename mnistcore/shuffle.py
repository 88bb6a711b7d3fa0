"""Shuffle the pixels: the lesson's model and a small CNN trained on digits whose 784 pixels were put in one fixed
random order, the same order for every image, train and validation alike.

The linear model gives each pixel a weight of its own and adds them up, so it does not notice; the CNN reads each
pixel with its neighbours, and after the shuffle its neighbours are strangers.
"""

from dataclasses import replace

import numpy as np
import torch

from mnistcore import distort, models
from mnistcore.data import Dataset
from mnistcore.prepare import Tensors, to_tensors
from mnistcore.train import TrainConfig, train

ORDER_SEED = 0  # the one fixed permutation, whatever the sidebar's seed
SHIFTS = tuple(range(5))  # pixels to the right: the shift curve of the models trained on the plain digits
SHIFT_SHOWN = 3  # the shift the page compares the two models at
RUNS = (("linear", False), ("linear", True), ("cnn", False), ("cnn", True))  # (model, shuffled), in the page's order


def permutation(seed: int = ORDER_SEED, n: int = 28 * 28) -> torch.Tensor:
    """One fixed order (n,) of the pixels: position i of a shuffled image holds pixel order[i] of the plain one."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def shuffled(data: Tensors, order: torch.Tensor) -> Tensors:
    """`data` with every image's pixels (train and validation) put in `order` (784,)."""
    return replace(data, x_train=data.x_train[:, order], x_valid=data.x_valid[:, order])  # (N, 784) -> (N, 784)


def unshuffle(weights: np.ndarray, order: torch.Tensor) -> np.ndarray:
    """Templates (k, 784) learned on shuffled pixels, each weight put back on the pixel it belongs to."""
    out = np.empty_like(weights)
    out[:, order.numpy()] = weights  # weight i read pixel order[i]
    return out


def run(ds: Dataset, item: tuple[str, bool, int]) -> dict:
    """A page computation: train `item` = (model, shuffled, seed) for the lesson's epoch (Adam, lr 1e-3, batch 64) on
    `ds`; its validation accuracy, its templates (linear) and, on plain digits, its accuracy at each of SHIFTS."""
    kind, mixed, seed = item
    data = to_tensors(ds)
    result = train(TrainConfig(model=kind, seed=seed, eval_every=0), shuffled(data, permutation()) if mixed else data)
    out = {"model": kind, "shuffled": mixed, "accuracy": result.valid_accuracy, "seconds": result.seconds}
    if kind == "linear":
        out["templates"] = result.model[0].weight.detach().numpy().copy()  # (10, 784)
    if not mixed:
        x, y = distort.pixels(ds.x_valid), torch.tensor(ds.y_valid)  # (N, 28, 28), (N,)
        out["shift"] = [distort.accuracy(result.model, distort.shift(x, dx, 0), y, data.mean, data.std) for dx in SHIFTS]
    return out


def likeness(a: np.ndarray, b: np.ndarray) -> float:
    """How alike two sets of templates (k, 784) are: the correlation of their weights, template by template, averaged."""
    return float(np.mean([np.corrcoef(u, v)[0, 1] for u, v in zip(a, b)]))


def says(done: dict[tuple[str, bool], dict]) -> dict[str, str]:
    """What the finished runs show, in words from their numbers: "linear", "cnn", "shift" (each once its runs are in)."""
    out = {}
    plain, mixed = done.get(("linear", False)), done.get(("linear", True))
    if plain and mixed:
        gap = abs(plain["accuracy"] - mixed["accuracy"]) * 100
        out["linear"] = (
            f"The lesson's model reads **{plain['accuracy']:.2%}** of the plain digits and **{mixed['accuracy']:.2%}** of "
            f"the shuffled ones: {gap:.2f} points apart. It gives every pixel a weight of its own and adds them up, and a "
            "sum does not care in what order its terms come: a fixed shuffle only shuffles the weights with the pixels. "
            "**A linear model has no idea which pixels are neighbours.**")
    cnn, cnn_mixed = done.get(("cnn", False)), done.get(("cnn", True))
    if cnn and cnn_mixed:
        lost, k = 100 * (cnn["accuracy"] - cnn_mixed["accuracy"]), models.CNN_KERNEL
        out["cnn"] = (
            f"The small CNN reads **{cnn['accuracy']:.2%}** of the plain digits after the same one epoch, but "
            f"**{cnn_mixed['accuracy']:.2%}** of the shuffled ones, {lost:.1f} points fewer. Its {k} × {k} filters read each "
            f"pixel with the {k * k - 1} around it; shuffled, those are pixels from anywhere, and a filter's idea of a "
            "stroke no longer fits.")
    if plain and cnn:
        k = SHIFTS.index(SHIFT_SHOWN)
        out["shift"] = (
            f"Moved {SHIFT_SHOWN} pixels to the right, the lesson's model keeps {plain['shift'][k]:.1%} and the CNN "
            f"{cnn['shift'][k]:.1%}. A filter finds a stroke wherever it is, and each max-pool forgives a pixel of "
            "movement; a template only knows the places it was shown.")
    return out
