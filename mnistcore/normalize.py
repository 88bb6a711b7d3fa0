"""Normalization, shown: statistics, per-channel means, activation scale and sort order."""

import math

import numpy as np
import torch
from torch import nn

from mnistcore.data import Dataset
from mnistcore.prepare import to_tensors, train_stats
from mnistcore.train import TrainConfig, train

LESSON = {"train_mean": 0.1304, "train_std": 0.3073, "valid_mean": -0.0059, "valid_std": 0.9924}
# The lesson's mnist.pkl.gz stores each byte divided by 256 (its brightest pixel is 255/256 = 0.99609375),
# the IDX files plain bytes that we divide by 255. Raw statistics differ by that factor; normalized ones
# do not, because subtracting a mean and dividing by a std cancels any scale.
PICKLE_SCALE = 255 / 256


def statistics(ds: Dataset) -> dict[str, float]:
    """Means and stds of train and valid pixels in [0, 1], raw and after normalizing."""
    mean, std = train_stats(ds)
    valid = ds.x_valid.astype(np.float64) / 255  # (N, 28, 28)
    own_mean, own_std = valid.mean(), valid.std()
    with_train = (valid - mean) / std
    return {
        "train_mean": mean, "train_std": std,
        "train_mean_pickle": mean * PICKLE_SCALE, "train_std_pickle": std * PICKLE_SCALE,
        "valid_raw_mean": float(own_mean), "valid_raw_std": float(own_std),
        "valid_mean": float(with_train.mean()), "valid_std": float(with_train.std()),
        "valid_own_mean": 0.0 if own_std == 0 else float(((valid - own_mean) / own_std).mean()),
        "valid_own_std": 1.0 if own_std else 0.0,
    }


RACE_STEPS = 300  # the normalization page's race: its first view (and what the server computes ahead)
RACE_LR = {"adam": 1e-3, "sgd": 1e-2}  # the lesson's rate for Adam; SGD needs a larger one to move in 300 steps


def scale_race(ds: Dataset, steps: int = 300, lr: float = 1e-3, optimizer: str = "adam",
               seed: int = 0, device: str | torch.device = "cpu") -> dict[str, tuple[list[int], list[float]]]:
    """Train the lesson's model for `steps` steps on raw, [0, 1] and normalized pixels; loss curves."""
    curves = {}
    for scale, name in (("raw", "raw 0-255"), ("unit", "divided by 255"), ("normalized", "normalized")):
        config = TrainConfig(lr=lr, optimizer=optimizer, seed=seed, max_steps=steps, epochs=10**6,
                             report_every=10, eval_every=10**9)
        result = train(config, to_tensors(ds, device, scale))
        points = [(e.step, e.train_loss) for e in result.history if e.kind == "progress"]
        curves[name] = ([s for s, _ in points], [loss for _, loss in points])
    return curves


def activation_stds(x: torch.Tensor, init: str, depth: int = 10, width: int = 100, seed: int = 0) -> list[float]:
    """Std of the activations after each of `depth` Linear+ReLU layers, for weights drawn by `init`.

    `init` is "randn" (std 1), "lesson" (randn / fan_in, the lesson's get_weights) or
    "kaiming" (randn * sqrt(2 / fan_in), chosen so ReLU layers keep the scale).
    """
    g = torch.Generator().manual_seed(seed)
    stds, h = [float(x.std())], x  # (B, 784)
    for _ in range(depth):
        fan_in = h.shape[1]
        w = torch.randn(fan_in, width, generator=g)  # (fan_in, width)
        if init == "lesson":
            w = w / fan_in
        elif init == "kaiming":
            w = w * math.sqrt(2 / fan_in)
        h = torch.relu(h @ w)  # (B, fan_in) -> (B, width)
        stds.append(float(h.std()))
    return stds


def best_split(values: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """The threshold on one feature that best separates a yes/no `target` (Gini), and its left side."""
    order = np.argsort(values, kind="stable")
    v, t = values[order], target[order].astype(float)
    n = len(v)
    left_n = np.arange(1, n)
    left_yes = np.cumsum(t)[:-1]
    right_yes = t.sum() - left_yes
    gini = (left_yes * (1 - left_yes / left_n) + right_yes * (1 - right_yes / (n - left_n)))
    gini[v[1:] == v[:-1]] = np.inf  # a threshold must fall between two different values
    k = int(np.argmin(gini))
    threshold = (v[k] + v[k + 1]) / 2
    return float(threshold), values <= threshold


def colour_sets(ds: Dataset, n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Colour images (N, 3, 28, 28): a train set tinted red, green or blue (the label), and a green-only valid set."""
    rng = np.random.default_rng(seed)
    n = min(n, len(ds.x_train) // 2)  # a small data set of one's own: as many as it has
    gray = ds.x_train[:2 * n].astype(np.float32) / 255  # (2n, 28, 28)
    labels = rng.integers(0, 3, n)
    train = np.zeros((n, 3, 28, 28), np.float32)
    train[np.arange(n), labels] = gray[:n]  # each image's ink sits in one channel
    valid = np.zeros((n, 3, 28, 28), np.float32)
    valid[:, 1] = gray[n:]  # all green
    return train, labels, valid


def channel_norm(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Normalize (N, 3, H, W) images per channel with `mean` and `std` of shape (3,)."""
    return (x - mean[None, :, None, None]) / std[None, :, None, None]  # (N, 3, H, W)


def colour_demo(ds: Dataset, seed: int = 0) -> dict:
    """Train a linear model to name the ink colour, then test a green-only set normalized two ways."""
    train_x, labels, valid_x = colour_sets(ds, seed=seed)
    mean, std = train_x.mean(axis=(0, 2, 3)), train_x.std(axis=(0, 2, 3))  # (3,) per channel
    own_mean, own_std = valid_x.mean(axis=(0, 2, 3)), valid_x.std(axis=(0, 2, 3)) + 1e-8
    torch.manual_seed(seed)
    model = nn.Linear(3 * 28 * 28, 3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt = torch.tensor(channel_norm(train_x, mean, std)).flatten(1)  # (N, 2352)
    yt = torch.tensor(labels)
    for _ in range(100):
        loss = nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        def green_share(x: np.ndarray) -> float:
            return float((model(torch.tensor(x).flatten(1)).argmax(1) == 1).float().mean())
        return {
            "train_mean": mean, "train_std": std, "valid_own_mean": own_mean,
            "valid_by_train": channel_norm(valid_x, mean, std).mean(axis=(0, 2, 3)),
            "valid_by_own": channel_norm(valid_x, own_mean, own_std).mean(axis=(0, 2, 3)),
            "green_by_train": green_share(channel_norm(valid_x, mean, std)),
            "green_by_own": green_share(channel_norm(valid_x, own_mean, own_std)),
        }
