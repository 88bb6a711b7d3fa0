"""A model trained on one data set meeting another: the lesson's model, trained on MNIST, checked on digits of our
own, and trained further on them (fine-tuning).

Whatever such a model meets is normalized with the statistics of the images it first learned from, MNIST's TRAIN
mean and std: its weights were fitted to inputs on that scale (fastai normalizes a pretrained model's inputs with
`imagenet_stats` for the same reason). A model trained on our digits alone keeps our digits' own statistics.
"""

import numpy as np
import torch

from mnistcore.data import Dataset
from mnistcore.prepare import Tensors, to_tensors

DIGITS = tuple(str(d) for d in range(10))
ALONE, CHECK, ADD = "alone", "check", "add"  # the ways a run may use our own digits (choices.LEARN)


def reads_digits(ds: Dataset) -> bool:
    """True for a data set of one's own whose classes are the digits 0 to 9: the lesson's model can read it."""
    return ds.name == "folders" and tuple(ds.classes) == DIGITS


def normalized(images: np.ndarray, mean: float, std: float) -> torch.Tensor:
    """Images (N, 28, 28) uint8 as a model reads them: (N, 784) floats, scaled to [0, 1], then `(x - mean) / std`."""
    x = torch.from_numpy(images.reshape(len(images), 784).astype(np.float32))  # (N, 28, 28) -> (N, 784)
    return (x / 255 - mean) / std


def checked_on(home: Tensors, ours: Dataset) -> Tensors:
    """Train on `home` (MNIST's tensors, shared as they are), check on every image of `ours` (none of them is trained
    on), normalized with home's TRAIN statistics."""
    x = np.concatenate([ours.x_train, ours.x_valid])  # (N_ours, 28, 28)
    y = torch.from_numpy(np.concatenate([ours.y_train, ours.y_valid]).astype(np.int64))  # (N_ours,)
    return Tensors(x_train=home.x_train, y_train=home.y_train, x_valid=normalized(x, home.mean, home.std), y_valid=y,
                   mean=home.mean, std=home.std)


def added_to(home: Tensors, ours: Dataset) -> Tensors:
    """Our training part to fine-tune on, our validation part to check with, both on home's scale."""
    return to_tensors(ours, "cpu", stats=(home.mean, home.std))

