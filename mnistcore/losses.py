"""Softmax, log-softmax and the cross-entropies, written from scratch to be read.

Each is checked against torch.nn.functional in the tests.
"""

import torch

SOFTMAX_SCORES = (0.0, 0.0, 1.0, 3.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0)  # the softmax page's first scores: a 3, a little 8


def naive_softmax(z: torch.Tensor) -> torch.Tensor:
    """exp(z) / sum(exp(z)) along the last axis, as first written: overflows for big logits."""
    e = torch.exp(z)  # (..., K): inf once a logit passes ~88 in float32
    return e / e.sum(dim=-1, keepdim=True)


def softmax(z: torch.Tensor) -> torch.Tensor:
    """Probabilities from logits `z` along the last axis; subtracting the max keeps exp finite."""
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)  # (..., K), largest entry exp(0) = 1
    return e / e.sum(dim=-1, keepdim=True)


def log_softmax(z: torch.Tensor) -> torch.Tensor:
    """log(softmax(z)) computed without ever taking the log of a tiny number."""
    shifted = z - z.max(dim=-1, keepdim=True).values  # (..., K)
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def nll(log_probs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood: minus the log-probability given to each true class."""
    picked = log_probs[torch.arange(len(targets)), targets]  # (B, K) -> (B,)
    return -picked.mean()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy from raw logits: the NLL of the log-softmax."""
    return nll(log_softmax(logits), targets)


def binary_cross_entropy(p: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean of -(y log p + (1 - y) log(1 - p)): the formula version."""
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def binary_cross_entropy_if(p: list[float], y: list[int]) -> float:
    """The same loss with an if-statement: y is 0 or 1, so only one term ever counts."""
    total = 0.0
    for pi, yi in zip(p, y):
        if yi == 1:
            total += -torch.log(torch.tensor(pi)).item()
        else:
            total += -torch.log(torch.tensor(1 - pi)).item()
    return total / len(p)


def categorical_cross_entropy(probs: torch.Tensor, one_hot: torch.Tensor) -> torch.Tensor:
    """Sum over the K classes of -y log p, averaged over the batch (one-hot targets)."""
    return -(one_hot * torch.log(probs)).sum(dim=-1).mean()  # (B, K) -> (B,) -> ()


def accuracy(probs_or_logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of rows whose argmax along axis 1 equals the target."""
    preds = probs_or_logits.argmax(dim=1)  # (B, K) -> (B,)
    return (preds == targets).float().mean().item()


def bce_rows(p: list[float], y: list[int]) -> list[dict[str, float]]:
    """The lesson's spreadsheet: one row per prediction with every term of the binary cross-entropy."""
    rows = []
    for pi, yi in zip(p, y):
        log_p, log_1mp = torch.log(torch.tensor(pi)).item(), torch.log(torch.tensor(1 - pi)).item()
        rows.append({"prediction p": pi, "target y": yi, "1 - p": 1 - pi, "log p": log_p, "log(1 - p)": log_1mp,
                     "-(y log p + (1-y) log(1-p))": -(yi * log_p + (1 - yi) * log_1mp)})
    return rows


def check_binary(p: list[float], y: list[float]) -> str | None:
    """Why `p` and `y` cannot go into a binary cross-entropy, in words; None when they can."""
    if not p:
        return "Add at least one row."
    for k, (pi, yi) in enumerate(zip(p, y), 1):
        if pi is None or yi is None or pi != pi:
            return f"Row {k} is incomplete: every row needs a prediction and a target."
        if not 0 < pi < 1:
            return (f"Row {k}: prediction {pi} is not strictly between 0 and 1. A probability of exactly 0 or 1 "
                    "makes a log infinite: a model that is certain and wrong gets an infinite loss.")
        if yi not in (0, 1):
            return f"Row {k}: target {yi} must be 0 or 1 in a binary problem."
    return None


def cross_entropy_five_ways(z: torch.Tensor, target: int) -> dict[str, float]:
    """One example's loss computed five ways that must agree (logits `z` of shape (K,))."""
    import torch.nn.functional as F
    zb, t = z[None].double(), torch.tensor([target])  # (1, K), (1,)
    one_hot = F.one_hot(t, z.numel()).double()  # (1, K)
    return {
        "sum over classes of -y log p (one-hot y)": categorical_cross_entropy(softmax(zb), one_hot).item(),
        "our nll(log_softmax(z))": nll(log_softmax(zb), t).item(),
        "our cross_entropy(z)": cross_entropy(zb, t).item(),
        "F.nll_loss(F.log_softmax(z, 1))": F.nll_loss(F.log_softmax(zb, 1), t).item(),
        "F.cross_entropy(z)": F.cross_entropy(zb, t).item(),
    }
