"""Self-check questions, page by page in the lesson's order, each checked by computing its answer.

A question never stores its answer. Its checker gets the learner's answer and the page's own `facts` (the
tensors and numbers the page shows), works the answer out from them, and compares. Typed lines go through
`expressions.evaluate`, never `eval`.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from mnistcore import distort, learning, losses, models, surgery, tensors
from mnistcore.train import TRAINED, TrainConfig, total_steps
from mnistcore.tutor.typed_lines import ExpressionError, describe, evaluate

Facts = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """What a checker says about one answer."""

    right: bool
    says: str  # why it is right, or what is wrong with it (may quote the learner's text: show it as text)
    counted: bool = True  # False for input that was refused unread (it does not use up a try)


@dataclass(frozen=True)
class Question:
    """One question: its words, how it is answered, how it is checked, and where to look when stuck."""

    key: str  # unique across the app: "page.name"
    prompt: str  # Markdown, written here (never user text)
    kind: str  # "shape", "number", "expression", "choice", "pair" (true class, predicted class) or "task"
    check: Callable[[Any, Facts], Verdict]  # (the learner's answer, the page's facts) -> Verdict
    hint: str  # names the widget or section that shows why
    solution: Callable[[Facts], str]  # the answer with the computation that produced it, as Python lines
    options: tuple[str, ...] = ()  # for "choice"


REFUSED = "That answer could not be read: "


def refused(reason: str) -> Verdict:
    """A refusal that costs no try."""
    return Verdict(False, REFUSED + reason, counted=False)


def read_number(text: Any) -> float:
    """A typed number ("0.1", "1/10", "12.5%", "7,850"); ValueError with a reason."""
    text = str(text).strip().rstrip("%").replace(",", "")
    try:
        value = evaluate(text, {})
    except ExpressionError as e:
        raise ValueError(str(e)) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("type a number, for example 0.25")
    return float(value)


# ---------------------------------------------------------------- the kinds of question


def shape_of(key: str, line: str, hint: str, prompt: str = "") -> Question:
    """ "What is the shape of `line`?", checked by computing `line` on the page's tensors."""
    def truth(facts: Facts) -> tuple[int, ...]:
        return tuple(evaluate(line, facts).shape)

    def check(answer: Any, facts: Facts) -> Verdict:
        try:
            given = tensors.read_shape(answer)
        except ValueError as e:
            return refused(str(e))
        want = truth(facts)
        if given == want:
            return Verdict(True, f"{line} has shape {want}.")
        if sorted(given) == sorted(want):
            return Verdict(False, f"{given} has the right sizes in the wrong order.")
        if len(given) != len(want):
            return Verdict(False, f"{given} has {len(given)} axes; the result has a different number.")
        return Verdict(False, f"{given} is not it, though it has the right number of axes.")

    shown = f"({line})" if re.search(r"[-+*/@ ]", line.replace(", ", ",")) else line
    return Question(key, prompt or f"What is the shape of `{line}`?", "shape", check, hint,
                    lambda facts: f"{shown}.shape\n# -> {truth(facts)}")


def expression_for(key: str, prompt: str, target: str, hint: str) -> Question:
    """ "Type a line that gives ...", checked by computing the learner's line and `target` and comparing them."""
    def check(answer: Any, facts: Facts) -> Verdict:
        try:
            got = evaluate(str(answer), facts)
        except ExpressionError as e:
            return refused(str(e))
        want = evaluate(target, facts)
        if not isinstance(got, torch.Tensor):
            return Verdict(False, f"That line gives {describe(got)}, not a tensor of numbers.")
        if got.shape != want.shape:
            return Verdict(False, f"That line gives a tensor of shape {tuple(got.shape)}; the one asked for has "
                                  f"shape {tuple(want.shape)}.")
        if torch.equal(got, want):
            return Verdict(True, f"It gives the same {want.numel():,} numbers as {target}.")
        return Verdict(False, "Right shape, but other numbers: another part of the tensor.")

    return Question(key, prompt, "expression", check, hint,
                    lambda facts: f"{target}\n# -> {describe(evaluate(target, facts))}")


LESSON_SCALE = ("the lesson's figure, and right: its file stored each byte divided by 256, where this page divides by "
                "255, which makes every mean and std here 256/255 times larger")


def number(key: str, prompt: str, truth: Callable[[Facts], float], tolerance: float, hint: str,
           shown: Callable[[Facts], str], traps: Callable[[Facts], dict[str, float]] | None = None,
           also: Callable[[Facts], dict[str, float]] | None = None) -> Question:
    """A number within `tolerance` of `truth(facts)`; `traps` names tempting wrong numbers, to say why they are, and
    `also` other right ones (the lesson's own figure, computed another way), to say why they differ."""
    def check(answer: Any, facts: Facts) -> Verdict:
        try:
            given = read_number(answer)
        except ValueError as e:
            return refused(str(e))
        want = truth(facts)
        if abs(given - want) <= tolerance:
            return Verdict(True, f"It is {want:.6g}.")
        for why, other in (also(facts) if also else {}).items():
            if abs(given - other) <= tolerance:
                return Verdict(True, f"{given:g} is {why}; on this page's scale it is {want:.4f}.")
        for why, trap in (traps(facts) if traps else {}).items():
            if abs(given - trap) <= tolerance:
                return Verdict(False, f"{given:g} is {why}.")
        return Verdict(False, f"{given:g} is too {'high' if given > want else 'low'}.")

    return Question(key, prompt, "number", check, hint, shown)


def choice(key: str, prompt: str, options: tuple[str, ...], truth: Callable[[Facts], int], hint: str,
           shown: Callable[[Facts], str]) -> Question:
    """One of `options`; `truth(facts)` computes which one is right."""
    def check(answer: Any, facts: Facts) -> Verdict:
        if answer not in options:
            return refused("choose one of the answers")
        want = options[truth(facts)]
        return Verdict(answer == want, f"It is: {want}." if answer == want else f"Not {answer}.")

    return Question(key, prompt, "choice", check, hint, shown, options)


# ---------------------------------------------------------------- the pages' facts, computed


def softmax_of(z: list[float] | torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Softmax of logits `z` (10,) at a temperature, as the softmax page computes it."""
    return losses.softmax(torch.as_tensor(z, dtype=torch.float32) / temperature)


def sharper(facts: Facts) -> int:
    """Which temperature answer is right for the page's logits: 0 spread out, 1 piles up, 2 unchanged."""
    at_1, at_01 = softmax_of(facts["z"]).max().item(), softmax_of(facts["z"], 0.1).max().item()
    return 1 if at_01 > at_1 + 1e-6 else 0 if at_01 < at_1 - 1e-6 else 2


def slope_at_start(facts: Facts) -> float:
    """d loss / d a at the line page's starting point."""
    return learning.formula_grads(*learning.START, facts["x"], facts["y"])[0]


def worst_cells(counts: np.ndarray) -> list[tuple[int, int]]:
    """The off-diagonal cells (true, predicted) with the most images."""
    off = counts * (1 - np.eye(len(counts), dtype=counts.dtype))  # (10, 10), the diagonal zeroed
    return [tuple(int(v) for v in c) for c in np.argwhere(off == off.max())]


def check_pair(answer: Any, facts: Facts) -> Verdict:
    """The confusion pair asked on the mistakes page, against the page's confusion matrix."""
    counts, names = facts["counts"], facts["classes"]
    if not (isinstance(answer, tuple) and len(answer) == 2 and all(a in range(10) for a in answer)):
        return refused("choose a true class and a predicted class")
    if answer[0] == answer[1]:
        return refused("a mistake predicts another class than the true one")
    t, p = answer
    if answer in worst_cells(counts):
        return Verdict(True, f"{counts[t, p]} images of {names[t]} are taken for {names[p]}, more than any other pair.")
    return Verdict(False, f"{names[t]} taken for {names[p]} happens {counts[t, p]} times; one pair happens more often.")


def check_task(_answer: Any, facts: Facts) -> Verdict:
    """The training page's task, against this session's last finished run (`facts["run"]`)."""
    run = facts.get("run")
    if run is None:
        return Verdict(False, "No finished run yet: press Start.", counted=False)
    config, n_train = run["config"], run["n_train"]
    said = (f"Your last run: {config.optimizer.upper()} at lr {config.lr:g}, batch {config.batch_size}, "
            f"{config.epochs} epoch{'s' * (config.epochs > 1)} on {n_train:,} images: ")
    if run["status"] not in TRAINED:  # an overshot run trained to its end too: its accuracy counts
        return Verdict(False, said + f"it ended as {run['status']}, with no result to count.")
    said += f"{run['accuracy']:.1%}."
    fits = config.optimizer == "sgd" and config.epochs <= TASK_EPOCHS and n_train == TASK_IMAGES
    if fits and run["accuracy"] >= TASK_ACCURACY:
        return Verdict(True, said)
    missing = [w for w, bad in (("use SGD", config.optimizer != "sgd"), (f"at most {TASK_EPOCHS} epochs", config.epochs >
                                TASK_EPOCHS), ("the quick sample", n_train != TASK_IMAGES)) if bad]
    return Verdict(False, said + (f" The task asks for {', '.join(missing)}." if missing else " Not yet enough."))


BREAK_SHIFT = 2  # pixels to the right, in the Break it page's first question


def shift_kept(facts: Facts) -> float:
    """The share (%) of the validation digits the Break it page's model still reads right, each moved BREAK_SHIFT px right."""
    moved = distort.shift(facts["x"], BREAK_SHIFT, 0)  # (N, 28, 28)
    return 100 * distort.accuracy(facts["model"], moved, facts["y"], facts["mean"], facts["std"])


BLENDED = ("the class with the largest bias", "the class of the largest template", "its own class, as before")


def blended_reading(facts: Facts) -> int:
    """What the linear model reads once its ten templates are blended all the way into their mean: an index of BLENDED."""
    x = ((facts["x"] - facts["mean"]) / facts["std"]).reshape(len(facts["x"]), -1)  # (N, 28, 28) -> (N, 784)
    w, b = surgery.parts(facts["linear"])
    preds = surgery.edited(facts["linear"], surgery.Edits(blend=1.0))(x).argmax(dim=1)  # (N,)
    if bool((preds == b.argmax()).all()):
        return 0
    return 1 if bool((preds == w.norm(dim=1).argmax()).all()) else 2


SHUFFLED = ("about the same, within a point", "much lower: it cannot read digits it cannot see", "much higher")


def shuffled_gap(facts: Facts) -> str:
    """The shuffled linear model's accuracy minus the plain one's, in points, once both runs are in `facts["runs"]`."""
    runs = facts.get("runs") or {}
    if ("linear", True) not in runs or ("linear", False) not in runs:
        return "(train the models in part 3 first)"
    return f"{100 * (runs['linear', True]['accuracy'] - runs['linear', False]['accuracy']):+.2f}"


def check_shuffled(answer: Any, facts: Facts) -> Verdict:
    """The Break it page's shuffle question, against the finished runs of its third part (`facts["runs"]`)."""
    if answer not in SHUFFLED:
        return refused("choose one of the answers")
    runs = facts.get("runs") or {}
    plain, mixed = runs.get(("linear", False)), runs.get(("linear", True))
    if not (plain and mixed):
        return Verdict(False, "Train the models in **3. Shuffle the pixels** first: the answer is checked against "
                              "their numbers.", counted=False)
    gap = 100 * (mixed["accuracy"] - plain["accuracy"])
    want = SHUFFLED[0 if abs(gap) <= 1 else 1 if gap < 0 else 2]
    said = f"plain {plain['accuracy']:.2%}, shuffled {mixed['accuracy']:.2%}: {gap:+.2f} points."
    return Verdict(answer == want, f"It is: {want}; {said}" if answer == want else f"Not {answer}: {said}")


TASK_ACCURACY, TASK_EPOCHS, TASK_IMAGES = 0.89, 2, 4_000  # reachable: SGD lr 0.01, batch 32 reached 89.4% here
LESSON_STEPS = total_steps(TrainConfig(), 50_000)
LESSON_NUMBERS = sum(p.numel() for p in models.build("linear").parameters())


# ---------------------------------------------------------------- the questions, in the lesson's order

QUESTIONS: dict[str, list[Question]] = {
    "home": [
        number("home.pixels", "Before you start: how many numbers does the model get for **one** image?",
               lambda f: f["x_train"][0].size, 0, "The grid of the digits above: 28 rows of 28 pixels, one number each.",
               lambda f: f"x_train[0].size  # 28 * 28\n# -> {f['x_train'][0].size}"),
        number("home.images", "And how many images does it learn from here? (the sidebar's *In use* line says)",
               lambda f: len(f["x_train"]), 0, "The sidebar's **In use** line: train / valid images.",
               lambda f: f"len(x_train)\n# -> {len(f['x_train'])}"),
    ],
    "tensors": [
        shape_of("tensors.window", "x[0, 10:15, 10:15]",
                 "A whole-number index removes its axis; a slice keeps it, as long as the range. Try rank 2 and 3 "
                 "with the **Rank** buttons at the top."),
        shape_of("tensors.mean", "x.mean(0)",
                 "Reducing removes the axis it runs along. In **Reducing along an axis**, choose *mean* along axis 0 "
                 "and read the shape under the picture."),
        expression_for("tensors.row", "Type a line on `x` that gives **row 14 of image 3**: its 28 pixels.", "x[3, 14]",
                       "Image 3 is `x[3]`; its first axis runs down the rows. **Flattening: 28 rows laid end to end** "
                       "picks one row."),
    ],
    "normalization": [
        number("normalization.mean", "We normalize the **validation** pixels (scaled to [0, 1]) with a mean. Which "
               "mean? Type its value to 3 decimals.", lambda f: f["stats"]["train_mean"], 6e-4,
               "The model learnt on the training numbers, so every other set gets the same two. The metrics at the top "
               "of the page show them.",
               lambda f: f"x_train.mean()  # of the training pixels in [0, 1]\n# -> {f['stats']['train_mean']:.4f}",
               traps=lambda f: {"the validation set's own mean: then a pixel would mean something else in each set":
                                f["stats"]["valid_raw_mean"]},
               also=lambda f: {LESSON_SCALE: f["stats"]["train_mean_pickle"]}),
        number("normalization.std", "And the standard deviation we divide them by? (3 decimals)",
               lambda f: f["stats"]["train_std"], 6e-4,
               "Again the training set's number: the **train std** metric at the top.",
               lambda f: f"x_train.std()\n# -> {f['stats']['train_std']:.4f}",
               traps=lambda f: {"the validation set's own std": f["stats"]["valid_raw_std"]},
               also=lambda f: {LESSON_SCALE: f["stats"]["train_std_pickle"]}),
        choice("normalization.after", "After normalizing the validation set with the training mean and std, its mean is:",
               ("exactly 0", "close to 0, but not exactly", "about 0.13, as before"),
               lambda f: 0 if abs(f["stats"]["valid_mean"]) < 1e-9 else 1,
               "The metric **valid mean, after** at the top: other images, so other statistics.",
               lambda f: f"((x_valid - train_mean) / train_std).mean()\n# -> {f['stats']['valid_mean']:.4f}"),
    ],
    "reshape": [
        Question("reshape.images", "`x` holds 16 flattened images of 784 numbers, shape (16, 784). Which shape in "
                 "`x.reshape(...)` makes 16 pictures of 28 × 28? (`-1` is allowed)", "shape",
                 lambda answer, facts: _check_reshape(answer, facts),
                 "Type shapes in **Reshape: the same numbers, a new shape** and watch the mosaic: the picture is the "
                 "last two axes.", lambda f: f"x.reshape(16, 28, 28).shape   # or x.reshape(-1, 28, 28)\n"
                                             f"# -> {tuple(f['x'].reshape(-1, 28, 28).shape)}"),
        expression_for("reshape.one", "Type a line on `x` (16, 784) that gives **image 5 as a 28 × 28 picture**.",
                       "x_imgs[5]", "Pick image 5 first, `x[5]`, then reshape its 784 numbers, or reshape all "
                       "of `x` and pick one."),
        shape_of("reshape.broadcast", "x_imgs + c[:, None]",
                 "Line the shapes up from the right: (16, 28, 28) and (28, 1). **Broadcasting: when shapes differ** "
                 "works them out for any two shapes.",
                 prompt="`x_imgs` is (16, 28, 28) and `c` is (28,). What is the shape of `x_imgs + c[:, None]`?"),
    ],
    "softmax": [
        number("softmax.equal", "All ten logits are equal: 2.0 each. What probability does softmax give each class?",
               lambda f: softmax_of([2.0] * 10)[0].item(), 1e-3,
               "Set the ten sliders to one value and read the bars: exp(2) on top of ten times exp(2).",
               lambda f: f"softmax(torch.full((10,), 2.0))\n# -> {softmax_of([2.0] * 10)[0].item():.4f} for each class"),
        choice("softmax.cold", "Divide the logits on the sliders above by a temperature of **0.1**. The probabilities:",
               ("spread out, towards 1/10 each", "pile onto the largest logit", "stay as they are"), sharper,
               "Move the **Temperature** slider to 0.1 and watch the bars.",
               lambda f: f"softmax(z / 0.1).max(), softmax(z).max()\n# -> {softmax_of(f['z'], 0.1).max().item():.4f}, "
                         f"{softmax_of(f['z']).max().item():.4f}"),
        number("softmax.loss", "The model gives the true class a probability of 0.25. What is the cross-entropy loss, "
               "−log p? (3 decimals)", lambda f: -math.log(0.25), 1.5e-3,
               "The loss line under the bars: −log(1) = 0, and the loss grows as p falls.",
               lambda f: f"-torch.log(torch.tensor(0.25))\n# -> {-math.log(0.25):.4f}"),
    ],
    "learning": [
        choice("learning.sign", f"At the start, a = {learning.START[0]:g} and b = {learning.START[1]:g}. Is the "
               "derivative d loss / d a positive or negative?", ("positive", "negative", "zero"),
               lambda f: 0 if slope_at_start(f) > 0 else 1 if slope_at_start(f) < 0 else 2,
               "The table under the two charts gives both derivatives at the current a and b. **Reset** goes back to "
               "the start.", lambda f: f"mean(2 * (a * x + b - y) * x)\n# -> {slope_at_start(f):.4f}"),
        choice("learning.way", "So the first step moves a:", ("up", "down", "nowhere"),
               lambda f: 0 if slope_at_start(f) < 0 else 1 if slope_at_start(f) > 0 else 2,
               "A step goes against the derivative: new a = a − lr × d loss / d a.",
               lambda f: f"a - lr * d_loss_d_a\n# -> {learning.descend(*learning.START, 0.1, f['x'], f['y'])[0]:.4f} "
                         "at lr 0.1"),
        number("learning.step", f"With learning rate 0.1, what is a after the first step from a = {learning.START[0]:g}? "
               "(2 decimals)", lambda f: learning.descend(*learning.START, 0.1, f["x"], f["y"])[0], 6e-3,
               "Set the rate to 0.1, press **Reset**, then **Step**: the chart's title shows the new line.",
               lambda f: f"a - 0.1 * d_loss_d_a\n# -> {learning.descend(*learning.START, 0.1, f['x'], f['y'])[0]:.4f}"),
    ],
    "training": [
        Question("training.task", f"**Task:** reach {TASK_ACCURACY:.0%} validation accuracy on the **quick sample** "
                 f"within {TASK_EPOCHS} epochs, with **SGD**. Checked when your run finishes.", "task", check_task,
                 "Choose *quick sample* in the sidebar and SGD in **Settings**. The default rate 0.001 creeps; 1 "
                 "overshoots. Try the rates between, and smaller batches (more steps per epoch).",
                 lambda f: "TrainConfig(optimizer='sgd', lr=0.01, batch_size=32, epochs=2)  # one way to reach it on the sample"),
        number("training.steps", "The lesson's epoch shows the model 50,000 images, 64 at a time. How many steps is "
               "that?", lambda f: LESSON_STEPS, 0,
               "Every image once, 64 per step; the last step takes what is left over.",
               lambda f: f"math.ceil(50_000 / 64)\n# -> {LESSON_STEPS}"),
        number("training.numbers", "How many numbers does the lesson's model, `nn.Linear(784, 10)`, learn?",
               lambda f: LESSON_NUMBERS, 0, "Each class has a 28 × 28 template of weights, and one bias.",
               lambda f: f"sum(p.numel() for p in model.parameters())  # 784 * 10 + 10\n# -> {LESSON_NUMBERS}"),
    ],
    "mistakes": [
        Question("mistakes.pair", "Which mistake does this model make most often?", "pair", check_pair,
                 "The darkest cell off the diagonal of the **Confusion matrix**; hover it to read its count.",
                 lambda f: "counts * (1 - eye(10))  # the diagonal zeroed, then its largest cell\n# -> " + ", ".join(
                     f"true {f['classes'][t]} predicted {f['classes'][p]}: {f['counts'][t, p]}"
                     for t, p in worst_cells(f["counts"]))),
        number("mistakes.wrong", "What share of the validation images does it get wrong? (a percentage, 1 decimal)",
               lambda f: 100 * f["wrong"] / f["total"], 0.051,
               "The sentence under the title says how many it gets right, out of how many.",
               lambda f: f"(preds != y_valid).mean() * 100\n# -> {100 * f['wrong'] / f['total']:.2f}"),
    ],
    "break": [
        number("break.shift", f"Move every validation digit **{BREAK_SHIFT} pixels to the right**. What share of them "
               "does the model still read right? (a percentage, to the nearest point)", shift_kept, 0.5,
               "Predict it first, then move **Shift right** in *1. Change the digits* and read the accuracy.",
               lambda f: f"accuracy(model, shift(x, {BREAK_SHIFT}, 0))  # each digit {BREAK_SHIFT} px right\n"
                         f"# -> {shift_kept(f):.2f} %"),
        choice("break.blend", "Blend the ten templates **all the way** into their mean. Every image is then read as:",
               BLENDED, blended_reading,
               "The mean template adds the same score to every class. What is left to tell the classes apart? Try "
               "**Blend the templates** at 100% in *2. Inside the model*.",
               lambda f: "edited(model, Edits(blend=1.0))(x).argmax(dim=1).unique(), b.argmax()\n"
                         f"# -> {BLENDED[blended_reading(f)]}"),
        Question("break.shuffled", "Train the lesson's model again on digits whose 784 pixels were put in **one fixed "
                 "random order**, train and validation alike. Its validation accuracy ends:", "choice", check_shuffled,
                 "Does a sum care in what order its terms come? *3. Shuffle the pixels* trains it.",
                 lambda f: f"(shuffled.accuracy - plain.accuracy) * 100  # points\n# -> {shuffled_gap(f)}", SHUFFLED),
    ],
}


def _check_reshape(answer: Any, facts: Facts) -> Verdict:
    """The reshape page's question: does x.reshape(answer) give 16 images of 28 x 28?"""
    text = str(answer).strip()
    if len(text) > 100 or not re.fullmatch(r"[\s,()\[\]\-\d]*", text):
        return refused("type the numbers for x.reshape(...), for example 4, 196")
    sizes = tuple(int(p) for p in re.findall(r"-?\d+", text))
    if not sizes:
        return refused("type the numbers for x.reshape(...), for example 4, 196")
    try:
        got = evaluate(f"x.reshape({', '.join(map(str, sizes))})", facts)
    except ExpressionError as e:
        return Verdict(False, f"x.reshape{sizes} does not work: {e}")
    if tuple(got.shape) == (16, 28, 28):
        return Verdict(True, f"x.reshape{sizes} has shape (16, 28, 28): 16 pictures.")
    return Verdict(False, f"x.reshape{sizes} works, but gives shape {tuple(got.shape)}, not 16 pictures of 28 × 28.")


def total() -> int:
    """How many questions the app asks."""
    return sum(len(qs) for qs in QUESTIONS.values())
