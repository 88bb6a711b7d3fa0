"""What the lesson's model makes of a class's own handwriting: its accuracy on the class's digits against its accuracy
on MNIST's validation images, where it goes wrong, the class's mean digits beside MNIST's (the pixel-similarity
baseline of fastbook's chapter 4), and the drawings it finds hardest. No name is attached to any of it."""

from dataclasses import dataclass

import numpy as np
import torch

from mnistcore import predictions, transfer
from mnistcore.classroom.store import Run
from mnistcore.data import Dataset
from mnistcore.normalize import train_stats

HARDEST = 8  # drawings shown as the hardest
HOW = {transfer.ALONE: "a new model, on our digits alone", transfer.CHECK: "a new model on MNIST, checked on ours",
       transfer.ADD: "the lesson's model, fine-tuned on ours"}


@dataclass(frozen=True)
class Meeting:
    """The lesson's model meets the class's digits."""

    n: int  # drawings read
    accuracy: float  # on the class's digits
    mnist_accuracy: float  # on MNIST's validation images
    counts: np.ndarray  # (10, 10) confusion on the class's digits: row the true digit, column the model's reading
    ours: np.ndarray  # (10, 28, 28) the class's mean digit of each class, in [0, 1] (NaN where none was drawn)
    mnist: np.ndarray  # (10, 28, 28) MNIST's mean training digit of each class, in [0, 1]
    hardest: np.ndarray  # (k,) indices of the drawings whose true digit got the least probability
    said: np.ndarray  # (N,) the model's reading of each drawing
    truth_probability: np.ndarray  # (N,) the probability it gave each drawing's true digit


@dataclass(frozen=True)
class Reference:
    """What the comparison needs of MNIST, computed once per data set and model rather than at every redraw: its TRAIN
    mean and std, its mean digit of each class, and the model's accuracy on its validation images."""

    mean: float
    std: float
    means: np.ndarray  # (10, 28, 28) in [0, 1]
    accuracy: float


def reference(mnist: Dataset, accuracy: float) -> Reference:
    """MNIST's statistics and mean digits (50,000 images: a fraction of a second), with the model's `accuracy` on it."""
    mean, std = train_stats(mnist)
    return Reference(mean, std, class_means(mnist.x_train, mnist.y_train), accuracy)


def as_model_input(images: np.ndarray, ref: Reference) -> torch.Tensor:
    """Drawings (N, 28, 28) uint8 as the model reads them: (N, 784) floats normalized with MNIST's TRAIN mean and std."""
    return transfer.normalized(images, ref.mean, ref.std)  # (N, 28, 28) -> (N, 784)


def class_means(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mean image (10, 28, 28) in [0, 1] of each class (NaN for a class with no image)."""
    out = np.full((10, 28, 28), np.nan)
    for c in range(10):
        mine = images[labels == c]
        if len(mine):
            out[c] = mine.mean(axis=0) / 255  # (n_c, 28, 28) -> (28, 28)
    return out


def meet(model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, ref: Reference) -> Meeting:
    """The lesson's `model` (trained on MNIST, summed up in `ref`) reads the class's drawings `images` (N, 28, 28) of
    digits `labels`."""
    probs = predictions.probabilities(model, as_model_input(images, ref))  # (N, 10)
    said = probs.argmax(axis=1)  # (N, 10) -> (N,)
    truth = probs[np.arange(len(labels)), labels]  # (N,)
    return Meeting(n=len(labels), accuracy=float((said == labels).mean()), mnist_accuracy=ref.accuracy,
                   counts=predictions.confusion(labels, said), ours=class_means(images, labels), mnist=ref.means,
                   hardest=np.argsort(truth)[:HARDEST], said=said, truth_probability=truth)


def sentence(m: Meeting) -> str:
    """The comparison in words."""
    gap = m.mnist_accuracy - m.accuracy
    how = ("as well as" if abs(gap) < 0.02 else "worse than" if gap > 0 else "better than")
    return (f"The lesson's model, trained on MNIST only, reads {m.accuracy:.1%} of our {m.n:,} digits right: {how} the "
            f"{m.mnist_accuracy:.1%} it reaches on MNIST's own validation images. A model returns what it saw; our "
            "handwriting, drawn with a mouse or a finger, is a world it never met.")


def origin(code: str, n: int, last: int) -> str:
    """Where a room's drawings came from, as their data set's origin says it (and its key, which the board reads)."""
    return f"{_room(code)}{n} drawings, last {last}"


def _room(code: str) -> str:
    """The start of `origin`: what tells a room's data sets from another room's ("room AB12, " not "room AB1, ")."""
    return f"room {code}, "


def way_of(run: Run) -> str:
    """How a posted run used the class's digits (choices.LEARN)."""
    if run.settings.get("start") == "lesson":
        return transfer.ADD
    return transfer.CHECK if run.settings.get("trained_on") == "mnist" else transfer.ALONE


def learned(runs: list[Run], code: str, lesson: float, names: dict[int, str]) -> list[dict]:
    """The room's finished runs on its own digits, newest first: who, how it learned, the lesson's model on the same
    digits (`lesson` on all of them; for a fine-tune, the held-out part it was checked on, measured as it began), and
    the run's own accuracy."""
    rows = []
    for run in reversed(runs):
        if _room(code) not in run.dataset or run.accuracy is None:
            continue
        way = way_of(run)
        before = run.settings.get("before") if way == transfer.ADD else lesson if way == transfer.CHECK else None
        rows.append({"name": names.get(run.member, "?"), "how it learned": HOW[way],
                     "before: the lesson's model": "-" if before is None else f"{before:.1%}",
                     "after: this run": f"{run.accuracy:.1%}"})
    return rows
