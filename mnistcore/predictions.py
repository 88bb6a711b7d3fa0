"""What a trained model says about the validation set: probabilities, confusions, mistakes, evidence."""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mnistcore import models


@torch.no_grad()
def probabilities(model: nn.Module, x: torch.Tensor, chunk: int = 8192) -> np.ndarray:
    """Softmax probabilities (N, 10) for images `x` (N, 784)."""
    model.eval()
    out = [model(x[i:i + chunk]).exp().cpu() for i in range(0, len(x), chunk)]  # log-probs -> probs
    return torch.cat(out).numpy()


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int = 10) -> np.ndarray:
    """Counts (k, k): row = true class, column = predicted class."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def row_rates(counts: np.ndarray) -> np.ndarray:
    """Each row of a confusion matrix divided by its total (0 where a class has no images)."""
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape, float), where=totals > 0)


def worst_cells(counts: np.ndarray, n: int) -> list[tuple[int, int]]:
    """The `n` largest off-diagonal cells of a confusion matrix (k, k) that hold any image, largest first."""
    off = np.asarray(counts).astype(float)  # (k, k)
    np.fill_diagonal(off, 0)  # the diagonal is right: never a mistake
    order = np.argsort(-off, axis=None, kind="stable")[:n]
    return [(int(r), int(c)) for r, c in zip(*np.unravel_index(order, off.shape)) if off[r, c] > 0]


@dataclass
class Ranked:
    """Validation images picked and ordered for a gallery."""

    index: np.ndarray  # into the validation set
    true: np.ndarray
    pred: np.ndarray
    confidence: np.ndarray  # probability given to the predicted class
    loss: np.ndarray  # -log p(true class)


ORDERS = ("most confident first", "highest loss first", "random")


def rank(probs: np.ndarray, y: np.ndarray, which: str = "wrong", order: str = ORDERS[0],
         true: int | None = None, pred: int | None = None, seed: int = 0) -> Ranked:
    """Select "wrong" or "unsure-right" images (optionally one true/pred pair) and sort them by `order`."""
    preds = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    loss = -np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None))
    keep = preds != y if which == "wrong" else preds == y
    if true is not None:
        keep &= y == true
    if pred is not None:
        keep &= preds == pred
    idx = np.flatnonzero(keep)
    if order == "random":
        idx = np.random.default_rng(seed).permutation(idx)
    elif which != "wrong":
        idx = idx[np.argsort(conf[idx], kind="stable")]  # right but unsure: least confident first
    else:
        key = conf[idx] if order == ORDERS[0] else loss[idx]
        idx = idx[np.argsort(-key, kind="stable")]
    return Ranked(index=idx, true=y[idx], pred=preds[idx], confidence=conf[idx], loss=loss[idx])


def per_class_accuracy(probs: np.ndarray, y: np.ndarray, k: int = 10) -> np.ndarray:
    """Accuracy of each true class (k,)."""
    counts = confusion(y, probs.argmax(axis=1), k)
    return np.diag(row_rates(counts))


def evidence(model: nn.Module, x: torch.Tensor, c: int) -> np.ndarray:
    """Weight × pixel for class `c` on one image `x` (784,): what each pixel adds to its score, (28, 28)."""
    weights, _ = models.templates(model)  # (10, 784) for the linear models
    return (weights[c] * x.cpu()).reshape(28, 28).numpy()  # (784,) * (784,) -> (28, 28)
