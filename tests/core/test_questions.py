"""Every self-check question against a right and a wrong answer, on the real sample, and against odd input."""

import math

import numpy as np
import pytest
import torch

from mnistcore import distort, learning, models, normalize, predictions, tensors
from mnistcore.data import load_dataset
from mnistcore.prepare import train_stats
from mnistcore.train import TrainConfig
from mnistcore.tutor import questions

DS = load_dataset("mnist", "sample")
X16 = tensors.batch(DS.x_valid, 16)
LX, LY = learning.line_points(seed=0)
PREDS = DS.y_valid.copy()
PREDS[:40] = 7  # a model that calls its first 40 images 7: its worst cell is known without reading the code
COUNTS = predictions.confusion(DS.y_valid, PREDS)
STATS = normalize.statistics(DS)
# The Break it page's facts: a fresh linear model (its accuracies are worked out here by hand), two finished runs.
torch.manual_seed(0)
BREAK_MODEL = models.build("linear").eval()
BREAK_X, (BREAK_MEAN, BREAK_STD) = distort.pixels(DS.x_valid), train_stats(DS)
MOVED = np.zeros_like(DS.x_valid)
MOVED[:, :, 2:] = DS.x_valid[:, :, :-2]  # each digit 2 px right, by hand
MOVED_X = torch.from_numpy(((MOVED / 255 - BREAK_MEAN) / BREAK_STD).reshape(-1, 784).astype(np.float32))
with torch.no_grad():
    SHIFT_RIGHT = 100 * float((BREAK_MODEL(MOVED_X).argmax(dim=1).numpy() == DS.y_valid).mean())
# end of Break it's facts
FACTS = {
    "home": {"x_train": DS.x_train},
    "tensors": {"x": tensors.batch(DS.x_valid)},
    "normalization": {"stats": STATS},
    "reshape": {"x": X16.reshape(16, 784), "x_imgs": X16, "c": torch.linspace(0, 1, 28)},
    "softmax": {"z": [0.0, 0.0, 1.0, 3.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0]},
    "learning": {"x": LX, "y": LY},
    "mistakes": {"counts": COUNTS, "classes": DS.classes, "wrong": int((PREDS != DS.y_valid).sum()), "total": len(PREDS)},
    "break": {"model": BREAK_MODEL, "x": BREAK_X, "y": torch.tensor(DS.y_valid), "mean": BREAK_MEAN,
              "std": BREAK_STD, "linear": BREAK_MODEL,
              "runs": {("linear", False): {"accuracy": 0.840}, ("linear", True): {"accuracy": 0.847}}},
}
slope = float(np.mean(2 * (learning.START[0] * LX + learning.START[1] - LY) * LX))  # d loss / d a, by hand
off = COUNTS - np.diag(np.diag(COUNTS))
worst = tuple(int(v) for v in np.unravel_index(off.argmax(), off.shape))
second = tuple(int(v) for v in np.argwhere((off > 0) & (off < off.max()))[0])
ANSWERS = {  # question: (a right answer, a wrong one), worked out here independently of the checkers
    "home.pixels": ("784", "28"),
    "home.images": (f"{len(DS.y_train):,}", "60,000"),
    "tensors.window": ("(5, 5)", "(10, 15)"),
    "tensors.mean": ("torch.Size([28, 28])", "(64,)"),
    "tensors.row": ("x[3][14]", "x[14, 3]"),
    "normalization.mean": (f"{DS.x_train.mean() / 255:.3f}", f"{DS.x_valid.mean() / 255 + 0.01:.3f}"),
    "normalization.std": (f"{(DS.x_train / 255).std():.3f}", "1"),
    "normalization.after": ("close to 0, but not exactly", "exactly 0"),
    "reshape.images": ("-1, 28, 28", "16, 784"),
    "reshape.one": ("x[5].view(28, 28)", "x[5]"),
    "reshape.broadcast": ("16, 28, 28", "28, 28"),
    "softmax.equal": ("1/10", "0.2"),
    "softmax.cold": ("pile onto the largest logit", "spread out, towards 1/10 each"),
    "softmax.loss": (f"{-math.log(0.25):.3f}", "0.25"),
    "learning.sign": ("negative" if slope < 0 else "positive", "positive" if slope < 0 else "negative"),
    "learning.way": ("up" if slope < 0 else "down", "down" if slope < 0 else "up"),
    "learning.step": (f"{learning.START[0] - 0.1 * slope:.2f}", f"{learning.START[0] + 0.1 * slope:.2f}"),
    "training.steps": ("782", "781"),
    "training.numbers": ("7,850", "7840"),
    "mistakes.pair": (worst, second),
    "mistakes.wrong": (f"{100 * (PREDS != DS.y_valid).mean():.1f}%", "50"),
    "break.shift": (f"{SHIFT_RIGHT:.1f}%", f"{SHIFT_RIGHT + 5:.1f}"),
    "break.blend": ("the class with the largest bias", "its own class, as before"),
    "break.shuffled": ("about the same, within a point", "much higher"),
}
ALL = [(page, q) for page, qs in questions.QUESTIONS.items() for q in qs if q.kind != "task"]


@pytest.mark.parametrize("page, q", ALL, ids=[q.key for _, q in ALL])
def test_every_question_takes_its_right_answer_and_refuses_a_wrong_one(page, q):
    right, wrong = ANSWERS[q.key]
    facts = FACTS.get(page, {})
    assert q.check(right, facts).right, q.check(right, facts)
    verdict = q.check(wrong, facts)
    assert not verdict.right and verdict.counted and verdict.says
    assert q.solution(facts)  # the answer, worked out, for after two tries


@pytest.mark.parametrize("page, q", ALL, ids=[q.key for _, q in ALL])
@pytest.mark.parametrize("odd", ["", "x" * 1_000_000, "__import__('os')", "(" * 10_000, None, "<img src=x>"])
def test_odd_answers_are_refused_in_words_without_using_a_try(page, q, odd):
    verdict = q.check(odd, FACTS.get(page, {}))
    assert not verdict.right and verdict.says
    readable = q.kind == "expression" and odd is None  # the line "None" is PyTorch, only not a tensor: a real try
    assert verdict.counted == readable, verdict


def test_the_normalization_question_says_why_the_valid_sets_own_mean_is_wrong():
    q = questions.QUESTIONS["normalization"][0]
    verdict = q.check(f"{STATS['valid_raw_mean']:.4f}", FACTS["normalization"])
    assert not verdict.right and "validation set's own mean" in verdict.says


def test_the_temperature_answer_follows_the_sliders():
    q = questions.QUESTIONS["softmax"][1]
    assert q.check("stay as they are", {"z": [1.0] * 10}).right  # equal logits: no temperature changes them
    assert not q.check("pile onto the largest logit", {"z": [1.0] * 10}).right


def run(accuracy: float, **config) -> dict:
    """A finished run as the training page hands it to its task."""
    return {"config": TrainConfig(**config), "status": "done", "accuracy": accuracy, "n_train": 4000}


def test_the_training_task_is_checked_against_the_finished_run():
    task = questions.QUESTIONS["training"][0]
    assert not task.check(None, {"run": None}).counted
    assert task.check(None, {"run": run(0.894, optimizer="sgd", lr=0.01, batch_size=32, epochs=2)}).right
    assert not task.check(None, {"run": run(0.95, optimizer="adam", epochs=2)}).right
    assert "at most 2 epochs" in task.check(None, {"run": run(0.95, optimizer="sgd", epochs=3)}).says
    assert not task.check(None, {"run": run(0.80, optimizer="sgd", epochs=2)}).right
    assert not task.check(None, {"run": {**run(0.95, optimizer="sgd"), "n_train": 50_000}}).right
    assert not task.check(None, {"run": {**run(0.95, optimizer="sgd"), "status": "diverged"}}).right


def test_the_lessons_own_normalization_figures_are_right_and_the_verdict_says_why_ours_differ():
    stats = normalize.statistics(load_dataset("mnist", "auto"))  # full MNIST: the lesson's 0.1304 and 0.3073
    mean, std = (q for q in questions.QUESTIONS["normalization"] if q.key in ("normalization.mean", "normalization.std"))
    for q, lesson in ((mean, "0.130"), (std, "0.307")):
        verdict = q.check(lesson, {"stats": stats})
        assert verdict.right and "divided by 256" in verdict.says, verdict.says
    assert mean.check(f"{stats['train_mean']:.3f}", {"stats": stats}).right  # the page's own figure, as before
    assert not mean.check("0.120", {"stats": stats}).right
