"""How a model learns: derivatives on a line, one SGD step of the lesson's model, ReLU pieces that add up
to a curve (the speed claims are mnistcore.claims)."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mnistcore import models

TRUE_LINE = (3.0, 8.0)  # the a and b the noisy points come from


# ---------------------------------------------------------------- a line, a and b, and their derivatives


def line_points(n: int = 50, noise: float = 1.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` points (x, y) scattered around y = 3x + 8, x in [-2, 2]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    return x, TRUE_LINE[0] * x + TRUE_LINE[1] + rng.normal(0, noise, n)


def mse(a: float, b: float, x: np.ndarray, y: np.ndarray) -> float:
    """mean((a x + b - y)^2)."""
    return float(np.mean((a * x + b - y) ** 2))


def formula_grads(a: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """d/da and d/db of the mean squared error, written out: mean(2 (a x + b - y) x) and mean(2 (a x + b - y))."""
    err = a * x + b - y  # (n,)
    return float(np.mean(2 * err * x)), float(np.mean(2 * err))


def autograd_grads(a: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The same two derivatives, from PyTorch's autograd."""
    at = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = ((at * torch.from_numpy(x) + bt - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    return float(at.grad), float(bt.grad)


def best_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The (a, b) of least mean squared error, exactly (least squares)."""
    a, b = np.polyfit(x, y, 1)
    return float(a), float(b)


def descend(a: float, b: float, lr: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One gradient-descent step: each parameter moves against its derivative, lr times as far."""
    da, db = formula_grads(a, b, x, y)
    return a - lr * da, b - lr * db


def loss_grid(x: np.ndarray, y: np.ndarray, a_range: tuple[float, float], b_range: tuple[float, float],
              n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss over a grid of (a, b): a values (n,), b values (n,) and losses (n_b, n_a)."""
    a_vals, b_vals = np.linspace(*a_range, n), np.linspace(*b_range, n)
    pred = a_vals[None, :, None] * x[None, None, :] + b_vals[:, None, None]  # (n_b, n_a, points)
    return a_vals, b_vals, ((pred - y) ** 2).mean(axis=2)


def verdict(losses: list[float]) -> str:
    """In words: is the descent settling, overshooting or blowing up?"""
    if len(losses) < 3:
        return "start"
    if not math.isfinite(losses[-1]) or losses[-1] > 10 * losses[0]:
        return "diverging"
    if losses[-1] > losses[-2] * (1 + 1e-9):  # up, by more than rounding
        return "overshooting"
    return "settling" if losses[-2] - losses[-1] > 1e-3 * losses[-1] else "settled"


# ---------------------------------------------------------------- one step of the lesson's model


def batch_order(n: int, seed: int) -> torch.Tensor:
    """The order batches are drawn in: a fixed shuffle of the training images."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def nth_batch(x: torch.Tensor, y: torch.Tensor, k: int, seed: int, size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Batch `k` of the fixed shuffle (wrapping round after the last full batch): images (size, 784), labels (size,)."""
    order = batch_order(len(x), seed)
    k %= len(order) // size
    idx = order[k * size:(k + 1) * size]
    return x[idx], y[idx]


def sgd_step(state: dict, x: torch.Tensor, y: torch.Tensor, lr: float) -> dict:
    """One step of the lesson's model on batch `x` (B, 784), `y` (B,), done twice: by `torch.optim.SGD`
    and by hand (`w -= lr * w.grad`). Returns the losses, the gradient and update of the weights, both
    new states, and the largest difference between them (float rounding: the optimizer fuses the multiply-add)."""
    model = models.build("linear")
    model.load_state_dict(state)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = F.nll_loss(model(x), y)  # (B, 784) -> (B, 10) -> ()
    optimizer.zero_grad()
    loss.backward()
    grad = model[0].weight.grad.clone()  # (10, 784): how the loss grows as each weight grows
    by_hand = {k: v.clone() for k, v in state.items()}
    with torch.no_grad():
        for name, p in model.named_parameters():
            by_hand[name] -= lr * p.grad  # w -= lr * w.grad, with no optimizer
    optimizer.step()
    new = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        after = float(F.nll_loss(model(x), y))
    return {"loss_before": loss.item(), "loss_after": after, "grad": grad.numpy(),
            "update": (new["0.weight"] - state["0.weight"]).numpy(), "state": new, "by_hand": by_hand,
            "difference": max(float((new[k] - by_hand[k]).abs().max()) for k in new)}  # rounding at most


def fresh_state(seed: int) -> dict:
    """The lesson's model, freshly initialised with `seed`."""
    torch.manual_seed(seed)
    return {k: v.clone() for k, v in models.build("linear").state_dict().items()}


# ---------------------------------------------------------------- ReLU pieces add up to any curve

TARGETS = {
    "sine": lambda x: np.sin(2 * x),
    "step": lambda x: (x > 0).astype(float),
    "|x|": np.abs,
    "wiggly": lambda x: np.sin(3 * x) + 0.5 * np.sin(7 * x) + 0.3 * x,
}


def relu_fit(target: str, n: int, steps: int = 1500, seed: int = 0) -> dict:
    """Fit Linear(1, n) -> ReLU -> Linear(n, 1) to a target curve on [-3, 3] (full batch, Adam).

    Returns the curve, the fit, each hidden unit's contribution w2_i * relu(w1_i x + b1_i) and the
    output bias (they add up to the fit), and the mean squared error.
    """
    torch.manual_seed(seed)
    x = torch.linspace(-3, 3, 300)[:, None]  # (300, 1)
    y = torch.tensor(TARGETS[target](x.numpy()), dtype=torch.float32)  # (300, 1)
    hidden, out = nn.Linear(1, n), nn.Linear(n, 1)
    with torch.no_grad():  # bends spread over the interval, so every unit starts where the curve is
        hidden.weight.copy_(torch.randn(n, 1).sign())
        hidden.bias.copy_(-hidden.weight[:, 0] * torch.empty(n).uniform_(-3, 3))
    net = nn.Sequential(hidden, nn.ReLU(), out)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.02)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for _ in range(steps):
        loss = F.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    with torch.no_grad():
        pieces = torch.relu(hidden(x)) * out.weight[0]  # (300, n): unit i's share of the output
        fit = net(x)
        return {"x": x[:, 0].numpy(), "target": y[:, 0].numpy(), "fit": fit[:, 0].numpy(),
                "pieces": pieces.T.numpy(), "bias": float(out.bias), "error": float(F.mse_loss(fit, y))}
