"""How a model learns: derivatives on a line, one SGD step of the lesson's model, ReLU pieces that add up
to a curve (the speed claims are mnistcore.claims)."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from mnistcore import models

TRUE_LINE = (3.0, 8.0)  # the a and b the noisy points come from
START = (-2.0, -4.0)  # where the descent begins: far enough away to need many steps


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


LINE_LRS = (0.01, 0.05, 0.1, 0.3, 0.6, 0.8, 1.0)  # the descent on a line: from a crawl to a divergence
SGD_LRS = (0.01, 0.1, 0.5, 1.0)  # the single SGD steps of the lesson's model
RELU_STEPS = 1500  # Adam steps each ReLU fit takes: enough for 50 pieces to settle
UNITS = tuple(range(1, 51))  # the page's slider: 1 to 50 hidden units


def relu_fits(target: str, counts: tuple[int, ...] = UNITS, steps: int = RELU_STEPS, seed: int = 0) -> dict[int, dict]:
    """Fit Linear(1, n) -> ReLU -> Linear(n, 1) to a target curve on [-3, 3] for each n in `counts` (full batch, Adam).

    The networks train side by side as one set of tensors: the sum of their mean squared errors is
    minimized, so each gets exactly its own gradients (and Adam, elementwise, treats each on its own),
    and each starts from the draws of its own seeded generator: a network's fit is the same whether it
    trains alone or with the others. All 50 take a few seconds, once per server, so that a slider move
    finds its fit ready. Each fit gives the curve, the fit, each hidden unit's contribution
    w2_i * relu(w1_i x + b1_i) and the output bias (they add up to the fit), and the mean squared error.
    """
    x = torch.linspace(-3, 3, 300)  # (300,)
    y = torch.tensor(TARGETS[target](x.numpy()), dtype=torch.float32)  # (300,)
    k, units = len(counts), torch.tensor(counts)  # network i has counts[i] units
    owner = torch.repeat_interleave(torch.arange(k), units)  # (u,), u = sum(counts): the network of each unit
    w1, b1, w2, b2 = [], [], [], []
    for n in counts:
        g = torch.Generator().manual_seed(seed * 1_000 + n)
        sign = torch.randn(n, generator=g).sign()  # bends spread over the interval: every unit starts where the curve is
        w1.append(sign)
        b1.append(-sign * (torch.rand(n, generator=g) * 6 - 3))
        bound = n ** -0.5  # nn.Linear(n, 1)'s own initial range
        w2.append((torch.rand(n, generator=g) * 2 - 1) * bound)
        b2.append((torch.rand(1, generator=g) * 2 - 1) * bound)
    params = [torch.cat(p).requires_grad_() for p in (w1, b1, w2, b2)]  # (u,), (u,), (u,), (k,)
    w1, b1, w2, b2 = params

    def forward() -> tuple[torch.Tensor, torch.Tensor]:
        """Each unit's share (300, u) and each network's output (300, k)."""
        pieces = torch.relu(x[:, None] * w1 + b1) * w2
        return pieces, torch.zeros(len(x), k).index_add(1, owner, pieces) + b2

    optimizer = torch.optim.Adam(params, lr=0.02)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for _ in range(steps):
        loss = ((forward()[1] - y[:, None]) ** 2).mean(dim=0).sum()  # each network's MSE, summed: gradients stay apart
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    with torch.no_grad():
        pieces, fits = forward()
        errors = ((fits - y[:, None]) ** 2).mean(dim=0)  # (k,)
        starts = torch.cumsum(units, 0) - units  # (k,): where each network's units begin
        return {n: {"x": x.numpy(), "target": y.numpy(), "fit": fits[:, i].numpy(),
                    "pieces": pieces[:, starts[i]: starts[i] + n].T.numpy(), "bias": float(b2[i]), "error": float(errors[i])}
                for i, n in enumerate(counts)}
