"""The lesson's three models: nn.Sequential, the same thing from scratch, and an MLP."""

import io

import torch
from torch import nn

from mnistcore.losses import log_softmax

NAMES = {
    "linear": "The lesson's nn.Sequential",
    "logreg": "LogReg from scratch",
    "mlp": "MLP 784-100-100-10",
}
DESCRIPTIONS = {
    "linear": "`nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax())`: the lesson's first model, a logistic regression.",
    "logreg": "The same logistic regression with nothing borrowed: weights from `get_weights`, `x @ w + b`, "
              "and our own log-softmax.",
    "mlp": "Two hidden layers of 100 ReLU units: the notebook's last model. Its templates are the first-layer weights "
           "of the 10 hidden units the next layer listens to most.",
}


def get_weights(*dims: int) -> nn.Parameter:
    """Normal random weights divided by the number of rows, as the lesson initialises them."""
    return nn.Parameter(torch.randn(dims) / dims[0])


class LogReg(nn.Module):
    """Logistic regression with nothing borrowed but nn.Module: x @ w + b, then log-softmax."""

    def __init__(self):
        """Create the (784, 10) weight matrix and the 10 biases."""
        super().__init__()
        self.l1_w = get_weights(28 * 28, 10)  # (784, 10)
        self.l1_b = get_weights(10)  # (10,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities (B, 10) for images `x` (B, 28, 28) or (B, 784)."""
        x = x.view(x.size(0), -1)  # (B, 28, 28) -> (B, 784)
        x = x @ self.l1_w + self.l1_b  # (B, 784) @ (784, 10) + (10,) -> (B, 10)
        return log_softmax(x)


def build(name: str) -> nn.Module:
    """A fresh model by `name`: "linear", "logreg" or "mlp"."""
    if name == "linear":
        return nn.Sequential(nn.Linear(28 * 28, 10), nn.LogSoftmax(dim=1))  # (B, 784) -> (B, 10)
    if name == "logreg":
        return LogReg()
    if name == "mlp":
        return nn.Sequential(
            nn.Linear(28 * 28, 100), nn.ReLU(),
            nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10), nn.LogSoftmax(dim=1),
        )
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(NAMES)}")


def kind_of(model: nn.Module) -> str:
    """The `build` name of `model`, read from its parameters' shapes."""
    if isinstance(model, LogReg):
        return "logreg"
    return "mlp" if sum(1 for m in model.modules() if isinstance(m, nn.Linear)) > 1 else "linear"


def templates(model: nn.Module, k: int = 10) -> tuple[torch.Tensor, list[str]]:
    """Rows of the first layer as (k, 784) weights, with a caption for each.

    For the linear models these are the ten class templates. For the MLP they are the
    first-layer weights of the `k` hidden units the next layer listens to most.
    """
    with torch.no_grad():
        if isinstance(model, LogReg):
            return model.l1_w.T.detach().cpu(), [f"class {c}" for c in range(10)]  # (784, 10) -> (10, 784)
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if len(linears) == 1:
            return linears[0].weight.detach().cpu(), [f"class {c}" for c in range(10)]  # (10, 784)
        influence = linears[1].weight.abs().sum(dim=0)  # (100, 100) -> (100,): how much layer 2 uses each unit
        top = influence.argsort(descending=True)[:k]
        return linears[0].weight[top].detach().cpu(), [f"unit {int(u)}" for u in top]  # (k, 784)


def from_state_dict(state: dict) -> nn.Module:
    """Rebuild whichever of our models `state` belongs to; ValueError when it fits none."""
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("the file does not hold a state_dict (a dictionary of tensors)")
    broken = [k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if broken:
        raise ValueError(f"{', '.join(broken)} hold NaN or infinite numbers, so every prediction would be "
                         "meaningless (a run that diverged saves weights like these)")
    for name in NAMES:
        model = build(name)
        try:
            model.load_state_dict(state)
            return model
        except RuntimeError:
            continue
    shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in list(state.items())[:4])
    raise ValueError(f"these weights ({shapes}...) match none of the three models of this app")


def to_file(model: nn.Module) -> bytes:
    """The model's state_dict as the bytes of a `.pt` file (tensors moved to the CPU)."""
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    return buffer.getvalue()


def from_file(data: bytes) -> nn.Module:
    """Rebuild a model from `.pt` bytes; `weights_only` so a hostile file cannot run code."""
    return from_state_dict(torch.load(io.BytesIO(data), weights_only=True, map_location="cpu"))
