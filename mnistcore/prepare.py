"""From a Dataset of bytes to the float tensors a model trains on, normalized the lesson's way."""

from dataclasses import dataclass

import numpy as np
import torch

from mnistcore.data import Dataset

SCALES = {
    "normalized": "normalized with the training mean and std",
    "unit": "pixels / 255, in [0, 1]",
    "raw": "raw bytes, 0 to 255",
}


@dataclass(frozen=True)
class Tensors:
    """Flattened images (N, 784) float32 and labels (N,) int64 on one device, never modified."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_valid: torch.Tensor
    y_valid: torch.Tensor
    mean: float  # of the training pixels in [0, 1]
    std: float


def train_stats(ds: Dataset) -> tuple[float, float]:
    """Mean and standard deviation of the training pixels scaled to [0, 1]."""
    counts = np.bincount(ds.x_train.ravel(), minlength=256)  # (256,): how many pixels have each byte value
    values = np.arange(256) / 255
    mean = float((counts * values).sum() / counts.sum())
    std = float(np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum()))
    return mean, std


def to_tensors(ds: Dataset, device: torch.device | str = "cpu", scale: str = "normalized",
               stats: tuple[float, float] | None = None) -> Tensors:
    """The data set as device tensors: valid uses the TRAIN mean and std, like the lesson (or `stats`: those of the
    images a model first learned from, for a model trained elsewhere; mnistcore/transfer.py)."""
    mean, std = stats or train_stats(ds)

    def convert(x: np.ndarray) -> torch.Tensor:
        t = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32))  # (N, 28, 28) -> (N, 784)
        if scale == "unit":
            t = t / 255
        elif scale == "normalized":
            t = (t / 255 - mean) / std
        elif scale != "raw":
            raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        return t.to(device)

    return Tensors(
        x_train=convert(ds.x_train), y_train=torch.tensor(ds.y_train, device=device),
        x_valid=convert(ds.x_valid), y_valid=torch.tensor(ds.y_valid, device=device),
        mean=mean, std=std,
    )
