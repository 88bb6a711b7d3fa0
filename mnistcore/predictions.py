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


@dataclass(frozen=True)
class Evidence:
    """Why a linear model reads one image as it does: its probabilities, and each pixel's part in two scores."""

    probabilities: np.ndarray  # (10,)
    predicted: int
    other: int  # the true class when the model got it wrong, else the runner-up
    for_predicted: np.ndarray  # (28, 28) weight x pixel for the predicted class
    for_other: np.ndarray  # (28, 28) the same for the other class
    limit: float  # the largest |value| of the three pictures (predicted, other, their difference): one colour scale


def explain(model: nn.Module, x: torch.Tensor, true: int | None = None) -> Evidence:
    """`model`'s reading of one normalized image `x` (784,): its probabilities and, for a linear model, the evidence
    for its prediction and for the true class (or the runner-up)."""
    with torch.no_grad():
        p = model(x[None].cpu()).exp()[0].numpy()  # (1, 784) -> (10,)
    pred = int(p.argmax())
    other = true if true is not None and true != pred else int(np.argsort(-p)[1])
    if models.kind_of(model) == "mlp":  # an MLP mixes pixels through hidden units: no pixel-by-pixel evidence
        return Evidence(p, pred, other, np.zeros((28, 28)), np.zeros((28, 28)), 0.0)
    ev_pred, ev_other = evidence(model, x, pred), evidence(model, x, other)
    limit = float(max(np.abs(ev_pred).max(), np.abs(ev_other).max(), np.abs(ev_pred - ev_other).max()))
    return Evidence(p, pred, other, ev_pred, ev_other, limit)
