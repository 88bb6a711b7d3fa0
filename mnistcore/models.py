"""The lesson's three models: nn.Sequential, the same thing from scratch, and an MLP; and a small convolutional
network, a look ahead at the next lesson (the Break it page trains it; the training page offers the three)."""

import io

import torch
from torch import nn

from mnistcore.losses import log_softmax

CNN_KERNEL, CNN_CHANNELS = 3, (8, 16)  # the small CNN's filters: their size, and how many in each of its two layers
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
    "cnn": f"Two {CNN_KERNEL} × {CNN_KERNEL} convolutions of {CNN_CHANNELS[0]} and {CNN_CHANNELS[1]} channels, each with a "
           "ReLU and a 2 × 2 max-pool, then one linear layer: each unit looks only at a pixel's neighbours, the same way "
           "everywhere in the picture.",
}
BEYOND = {"cnn": "A small CNN (next lesson)"}  # `build` makes these too; the training page offers only NAMES


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


class SmallCNN(nn.Module):
    """Two 3 x 3 convolutions with ReLU and 2 x 2 max-pooling, then a linear layer and log-softmax; it reads the
    engine's flat (B, 784) images as (B, 1, 28, 28) pictures."""

    def __init__(self, channels: tuple[int, int] = CNN_CHANNELS, kernel: int = CNN_KERNEL):
        """Two convolution layers of `channels` filters each, `kernel` pixels square, and the linear layer on what they find."""
        super().__init__()
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, kernel, padding=kernel // 2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 1, 28, 28) -> (B, c1, 14, 14)
            nn.Conv2d(c1, c2, kernel, padding=kernel // 2), nn.ReLU(), nn.MaxPool2d(2),  # -> (B, c2, 7, 7)
        )
        self.head = nn.Linear(c2 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities (B, 10) for images `x` (B, 784) or (B, 28, 28)."""
        x = self.features(x.view(-1, 1, 28, 28))  # (B, 784) -> (B, 1, 28, 28) -> (B, c2, 7, 7)
        return torch.log_softmax(self.head(x.flatten(1)), dim=1)  # (B, c2 * 49) -> (B, 10)


def build(name: str) -> nn.Module:
    """A fresh model by `name`: "linear", "logreg", "mlp" or "cnn"."""
    if name == "linear":
        return nn.Sequential(nn.Linear(28 * 28, 10), nn.LogSoftmax(dim=1))  # (B, 784) -> (B, 10)
    if name == "logreg":
        return LogReg()
    if name == "mlp":
        return nn.Sequential(
            nn.Linear(28 * 28, 100), nn.ReLU(),
            nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10), nn.LogSoftmax(dim=1),
        )
    if name == "cnn":
        return SmallCNN()
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join([*NAMES, *BEYOND])}")


def kind_of(model: nn.Module) -> str:
    """The `build` name of `model`, read from its parameters' shapes."""
    if isinstance(model, LogReg):
        return "logreg"
    if isinstance(model, SmallCNN):
        return "cnn"
    return "mlp" if sum(1 for m in model.modules() if isinstance(m, nn.Linear)) > 1 else "linear"


def templates(model: nn.Module, k: int = 10) -> tuple[torch.Tensor, list[str]]:
    """Rows of the first layer as (k, 784) weights, with a caption for each.

    For the linear models these are the ten class templates. For the MLP they are the
    first-layer weights of the `k` hidden units the next layer listens to most. For the CNN, its first
    layer's 3 x 3 filters, each as 9 weights.
    """
    with torch.no_grad():
        if isinstance(model, SmallCNN):
            filters = model.features[0].weight[:k].detach().cpu()  # (k, 1, 3, 3)
            return filters.flatten(1), [f"filter {f}" for f in range(len(filters))]  # (k, 9)
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


def from_file(data: bytes, name: str | None = None) -> nn.Module:
    """Rebuild a model from `.pt` bytes; `weights_only` so a hostile file cannot run code. With `name`, only that
    model is tried (how a CNN comes back: uploads, which try NAMES, never take one)."""
    state = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    if name is None:
        return from_state_dict(state)
    model = build(name)
    model.load_state_dict(state)
    return model
