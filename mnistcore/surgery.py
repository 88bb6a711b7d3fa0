"""Inside the lesson's model: change its weights by hand and see what each part did.

The model scores class k as `x @ W[k] + b[k]`: one template of 784 weights per class, and one bias. Zero the
biases, zero one class's template, or blend the ten templates towards their mean, and read what is left.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mnistcore import models, predictions


@dataclass(frozen=True)
class Edits:
    """What to change in a linear model; the defaults change nothing."""

    zero_bias: bool = False  # set the ten biases to 0
    zero_class: int | None = None  # set this class's template to 0 (None: no template)
    blend: float = 0.0  # move every template this share of the way to the mean of the ten (1: all equal)


BLENDS = tuple(round(0.1 * i, 1) for i in range(11))  # the shares of the way to the mean a page offers


@dataclass(frozen=True)
class Outcome:
    """What an edited model makes of the validation images."""

    accuracy: float
    counts: np.ndarray  # (10, 10) confusion: row the true class, column the prediction
    weights: np.ndarray  # (10, 784) the edited templates
    bias: np.ndarray  # (10,) the edited biases
    margin: float  # the median image's best score minus its second best


def parts(model: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """Copies of a linear model's templates W (10, 784) and biases b (10,); ValueError for a model with hidden layers."""
    kind = models.kind_of(model)
    if kind == "logreg":
        return model.l1_w.detach().T.clone(), model.l1_b.detach().clone()  # (784, 10) -> (10, 784), (10,)
    if kind != "linear":
        raise ValueError(f"a {models.NAMES.get(kind, kind)} has no single template per class to edit")
    layer = next(m for m in model.modules() if isinstance(m, nn.Linear))
    return layer.weight.detach().clone(), layer.bias.detach().clone()  # (10, 784), (10,)


def edited(model: nn.Module, edits: Edits) -> nn.Module:
    """A new lesson's model (nn.Sequential) holding `model`'s weights with `edits` made; `model` is left alone."""
    w, b = parts(model)
    w += edits.blend * (w.mean(dim=0, keepdim=True) - w)  # (10, 784): each template part of the way to the mean
    if edits.zero_class is not None:
        w[edits.zero_class] = 0
    if edits.zero_bias:
        b.zero_()
    new = models.build("linear")
    with torch.no_grad():
        new[0].weight.copy_(w)
        new[0].bias.copy_(b)
    return new.eval()


@torch.no_grad()
def outcome(model: nn.Module, edits: Edits, x: torch.Tensor, y: np.ndarray) -> Outcome:
    """What `model` with `edits` made reads on normalized images `x` (N, 784) with labels `y` (N,)."""
    new = edited(model, edits)
    scores = new[0](x)  # (N, 784) -> (N, 10), before the log-softmax
    top2 = scores.topk(2, dim=1).values  # (N, 2)
    preds = scores.argmax(dim=1).numpy()  # (N,)
    return Outcome(float((preds == y).mean()), predictions.confusion(y, preds), new[0].weight.numpy().copy(),
                   new[0].bias.numpy().copy(), float((top2[:, 0] - top2[:, 1]).median()))


def study(model: nn.Module, edits: Edits, x: torch.Tensor, y: np.ndarray) -> tuple[Outcome, Outcome, dict[str, Outcome]]:
    """`model` on normalized images `x` (N, 784) as it is, with all of `edits`, and with each edit that is on alone
    ("bias", "class", "blend")."""
    on = {"bias": Edits(zero_bias=True) if edits.zero_bias else None,
          "class": Edits(zero_class=edits.zero_class) if edits.zero_class is not None else None,
          "blend": Edits(blend=edits.blend) if edits.blend else None}
    alone = {name: outcome(model, e, x, y) for name, e in on.items() if e is not None}
    return outcome(model, Edits(), x, y), outcome(model, edits, x, y), alone


def range_words(out: Outcome) -> str:
    """An edited model's templates in a few words: their range, and which are all zeros."""
    empty = [str(k) for k, w in enumerate(out.weights) if not w.any()]
    return (f"weights from {out.weights.min():+.2g} to {out.weights.max():+.2g}"
            + (f"; template {', '.join(empty)} all zeros" if empty else "") + ".")


def says(edits: Edits, before: Outcome, alone: dict[str, Outcome], classes: tuple[str, ...]) -> list[str]:
    """One sentence per edit that is on, each about that edit made alone (`alone`: "bias", "class", "blend"),
    from the numbers it left."""
    out = []
    if edits.zero_bias:
        b, after = before.bias, alone["bias"]
        out.append(f"**Biases zeroed: {after.accuracy:.1%}** (was {before.accuracy:.1%}). The ten biases run from "
                   f"{b.min():+.2f} to {b.max():+.2f}, while the median image's best class beats its second by "
                   f"{before.margin:.2f}: a bias nudges a class's score by the same amount for every image, and the "
                   "templates do the reading.")
    if edits.zero_class is not None:
        k, after = edits.zero_class, alone["class"]
        row = after.counts[k]
        taken = [j for j in np.argsort(-row) if j != k and row[j] > 0][:2]
        went = " and ".join(f"{classes[j]} ({row[j]:,})" for j in taken) or "nowhere else"
        out.append(f"**Template {classes[k]} zeroed: {after.accuracy:.1%}.** Class {classes[k]} now scores its bias "
                   f"({before.bias[k]:+.2f}) whatever the image, so it wins only where every other class scores even "
                   f"less: {row[k]:,} of the {row.sum():,} {classes[k]}s are still read as {classes[k]}; most now go "
                   f"to {went}. Everything the model knew about {classes[k]} was in those 784 weights.")
    if edits.blend:
        after = alone["blend"]
        top = int(after.counts.sum(axis=0).argmax())
        share = after.counts.sum(axis=0)[top] / after.counts.sum()
        out.append(f"**Templates {edits.blend:.0%} of the way to their mean: {after.accuracy:.1%}.** The mean "
                   f"template adds the same score to every class, so it decides nothing; what blending does is shrink "
                   f"the differences between templates to {1 - edits.blend:.0%}, until the biases outweigh them. "
                   f"{share:.0%} of the images are now read as {classes[top]}"
                   + (", the class with the largest bias." if top == int(before.bias.argmax()) else "."))
    return out
