"""The training engine: one loop for the page, the command line and the tests.

It knows nothing of Streamlit. It reports progress as `Event`s through a callback and
obeys a `Control` that another thread can pause, resume or stop.
"""

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mnistcore import choices, models
from mnistcore.control import Control
from mnistcore.data import Dataset
from mnistcore.prepare import Tensors, to_tensors

# A run whose validation loss ends above this many times its start has overshot: finite weights and a real
# accuracy (SGD at lr 1, momentum 0.9, one epoch of the sample: 83%), but a loss that rose, because each step
# jumps past the valley and the model is confidently wrong on the digits it misses. Diverged is kept for a
# loss that became inf or NaN.
OVERSHOOT = 1.5
TRAINED = ("done", "overshot")  # the endings of a run that trained to its end: its model and accuracy count
FUSED_DEVICES = ("cpu", "cuda")  # where PyTorch has a fused Adam kernel


@dataclass
class TrainConfig:
    """One training run's settings; the defaults are the lesson's (declared with their choices in choices.py)."""

    model: str = choices.MODEL.default  # "linear" (nn.Sequential), "logreg" (from scratch) or "mlp"
    optimizer: str = choices.OPTIMIZER.default  # "adam" or "sgd"
    lr: float = choices.LR.default  # learning rate; the peak rate under the one-cycle schedule
    momentum: float = choices.MOMENTUM.default  # SGD only
    batch_size: int = choices.BATCH.default  # images per step
    epochs: int = choices.EPOCHS.default  # passes over the training images
    schedule: str = choices.SCHEDULE.default  # "constant" or "onecycle" (warm up, then anneal to ~0)
    seed: int = 0  # same seed + same device = same run
    eval_every: int = 200  # steps between validation passes (each epoch's end is evaluated too); 0 = epoch ends only
    report_every: int = 20  # steps between progress events (each costs one device sync)
    snapshot_every: int = 0  # steps between weight snapshots in events; 0 = none
    max_steps: int | None = None  # stop after this many steps (demos, tests)
    step_delay: float = 0.0  # seconds to rest after each step: slow motion, so a class can watch
    start: str = "fresh"  # where the weights began: "fresh" (drawn with the seed), "uploaded" (a student's file) or
    # "lesson" (the lesson's model trained on MNIST, trained further on a data set of one's own: fine-tuning)
    trained_on: str = ""  # "": the data set in use; "mnist": MNIST's training images, checked on digits of one's own

    @classmethod
    def from_choices(cls, chosen: dict, seed: int, n_train: int) -> "TrainConfig":
        """The run of the settings `chosen` (keyed as in a link: choices.BY_KEY) on `n_train` images, resting after
        each step as its pace asks."""
        config = cls(**{c.field: chosen[c.key] for c in choices.RUN if c.field and c.key in chosen}, seed=seed)
        pace = chosen.get(choices.PACE.key, choices.PACE.default)
        return replace(config, step_delay=choices.step_delay(pace, steps_per_epoch(config.batch_size, n_train)))

    def as_choices(self) -> dict:
        """This run's settings keyed as in a link and a teacher's task (choices.BY_KEY); pace is the page's, not the run's."""
        return {c.key: getattr(self, c.field) for c in choices.RUN if c.field}


@dataclass
class Event:
    """What the run says to whoever watches it."""

    kind: str  # "progress", "eval", "done", "overshot", "stopped" or "diverged"
    step: int
    total_steps: int
    epoch: float  # epochs completed, fractional
    seconds: float  # training time so far, pauses excluded
    images_per_second: float
    train_loss: float | None = None  # mean over the steps since the previous event
    valid_loss: float | None = None
    valid_accuracy: float | None = None
    weights: np.ndarray | None = None  # (k, 784) first-layer templates, when a snapshot is due
    weight_titles: list[str] | None = None  # a caption for each template
    message: str = ""


@dataclass
class Result:
    """A finished run: the trained model and its final numbers."""

    model: nn.Module
    config: TrainConfig
    status: str  # "done", "overshot", "stopped" or "diverged"
    steps: int
    seconds: float
    images_per_second: float
    train_loss: float
    valid_loss: float
    valid_accuracy: float
    history: list[Event] = field(default_factory=list)
    start_accuracy: float = float("nan")  # the weights it began with, on the same validation images: a fine-tune's "before"

    def metrics(self) -> dict:
        """The numbers as a plain dict for JSON (a loss that is not finite becomes None)."""
        def finite(v: float) -> float | None:
            return v if math.isfinite(v) else None
        return {"status": self.status, "steps": self.steps, "seconds": round(self.seconds, 3),
                "images_per_second": round(self.images_per_second, 1), "train_loss": finite(self.train_loss),
                "valid_loss": finite(self.valid_loss), "valid_accuracy": finite(self.valid_accuracy),
                "config": asdict(self.config)}


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, chunk: int = 8192) -> tuple[float, float]:
    """Mean NLL and accuracy of `model` on images `x` (N, 784) and labels `y` (N,)."""
    was_training = model.training
    model.eval()
    loss, correct = torch.zeros((), device=x.device), torch.zeros((), device=x.device)
    for i in range(0, len(x), chunk):
        log_probs = model(x[i:i + chunk])  # (n, 784) -> (n, 10)
        loss += F.nll_loss(log_probs, y[i:i + chunk], reduction="sum")
        correct += (log_probs.argmax(dim=1) == y[i:i + chunk]).sum()
    model.train(was_training)
    return loss.item() / len(x), correct.item() / len(x)


def make_optimizer(config: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    """The optimizer the config names."""
    if config.optimizer == "adam":  # the fused kernel updates both tensors in one call: ~40% less time per step
        fused = next(model.parameters()).device.type in FUSED_DEVICES
        return torch.optim.Adam(model.parameters(), lr=config.lr, fused=fused)
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    raise ValueError(f"unknown optimizer {config.optimizer!r}; choose adam or sgd")


def steps_per_epoch(batch_size: int, n_train: int) -> int:
    """Steps in one pass over `n_train` images, `batch_size` at a time (the last batch may be short)."""
    return math.ceil(n_train / batch_size)


def total_steps(config: TrainConfig, n_train: int) -> int:
    """How many steps the run will take."""
    steps = config.epochs * steps_per_epoch(config.batch_size, n_train)
    return min(steps, config.max_steps) if config.max_steps else steps


def lesson_model_file(ds: Dataset, seed: int) -> bytes:
    """The lesson's model (Adam, lr 1e-3, batch 64) after one epoch on `ds`, as a weights file (the pages' model
    until a student trains one)."""
    return models.to_file(train(TrainConfig(seed=seed), to_tensors(ds)).model)


def divergence_message(config: TrainConfig, step: int, good_step: int) -> str:
    """Plain words for a loss that blew up."""
    return (f"The loss became infinite or not-a-number at step {step}. The learning rate "
            f"({config.lr:g}) is probably too high: each step overshoots and the weights grow without "
            f"bound. Try a rate 10 times smaller. The weights from step {good_step}, the last "
            f"good ones, were kept.")


def overshoot_message(config: TrainConfig, start_loss: float, end_loss: float, accuracy: float) -> str:
    """Plain words for a run whose loss ended far above where it began, though its accuracy may be fair."""
    return (f"The validation loss ended at {end_loss:.3g}, far above the {start_loss:.3g} it started from, though "
            f"{accuracy:.1%} of the validation digits are right: on the others the model is confidently wrong. "
            f"The learning rate ({config.lr:g}) is probably too high, so each step jumps past the valley. Try a "
            f"rate 10 times smaller.")


def clone_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A copy of the model's weights to fall back on (10x cheaper than deepcopy of the state_dict)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def template_fields(model: nn.Module) -> dict:
    """The model's first-layer templates and their captions, copied to the CPU."""
    weights, titles = models.templates(model)
    return {"weights": weights.numpy(), "weight_titles": titles}


@dataclass
class Tally:
    """Where a run is: steps taken, images seen, and time spent paused (left out of its seconds and speed)."""

    step: int = 0
    seen: int = 0
    paused: float = 0.0
    start: float = field(default_factory=time.perf_counter)

    def seconds(self) -> float:
        """Training time so far, pauses excluded."""
        return time.perf_counter() - self.start - self.paused

    def speed(self) -> float:
        """Images per second of training time."""
        return self.seen / max(self.seconds(), 1e-9)


def train(config: TrainConfig, data: Tensors, model: nn.Module | None = None,
          on_event: Callable[[Event], None] | None = None, control: Control | None = None) -> Result:
    """Train `model` (a fresh one from `config` if None) on `data`; report through `on_event`."""
    device = data.x_train.device
    torch.manual_seed(config.seed)
    model = (model or models.build(config.model)).to(device).train()
    optimizer = make_optimizer(config, model)
    n = len(data.x_train)
    total = total_steps(config, n)
    scheduler = (torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=total)
                 if config.schedule == "onecycle" else None)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    control = control or Control()
    emit = on_event or (lambda e: None)
    history: list[Event] = []
    good_state, good_step = clone_state(model), 0  # the weights to fall back on if the loss blows up
    start_loss, start_acc = evaluate(model, data.x_valid, data.y_valid)  # "far above where it started" needs the start
    train_loss = valid_loss = valid_acc = float("nan")
    running = torch.zeros((), device=device)  # the losses since the last report, summed on the device: no sync per step
    since_report, evaluated_at, status = 0, -1, "running"
    tally = Tally()

    def event(kind: str, **extra) -> None:
        """Tell the watcher where the run is (the history keeps the numbers, not the pictures)."""
        e = Event(kind=kind, step=tally.step, total_steps=total, epoch=tally.step / steps_per_epoch(config.batch_size, n),
                  seconds=tally.seconds(), images_per_second=tally.speed(), **extra)
        history.append(replace(e, weights=None, weight_titles=None))
        emit(e)

    while status == "running" and tally.step < total:
        order = torch.randperm(n, device=device, generator=generator)  # a fresh shuffle each epoch
        for i in range(0, n, config.batch_size):
            tally.paused += control.wait_while_paused()
            if control.stopped:
                status = "stopped"
                break
            idx = order[i:i + config.batch_size]
            x, y = data.x_train.index_select(0, idx), data.y_train.index_select(0, idx)  # half the cost of x[idx]
            loss = F.nll_loss(model(x), y)  # (B, 784) -> (B, 10) -> ()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
            running += loss.detach()
            since_report += 1
            tally.step += 1
            tally.seen += len(idx)
            end_of_epoch = i + config.batch_size >= n
            if since_report >= config.report_every or tally.step == total or end_of_epoch:
                train_loss = running.item() / since_report  # the one host sync of a report
                running.zero_()
                since_report = 0
                if not math.isfinite(train_loss):
                    model.load_state_dict(good_state)
                    status = "diverged"
                    break
                good_state, good_step = clone_state(model), tally.step
                snap = config.snapshot_every and tally.step % config.snapshot_every < config.report_every
                event("progress", train_loss=train_loss, **(template_fields(model) if snap else {}))
            if (config.eval_every and tally.step % config.eval_every == 0) or end_of_epoch or tally.step == total:
                valid_loss, valid_acc = evaluate(model, data.x_valid, data.y_valid)
                evaluated_at = tally.step
                event("eval", train_loss=train_loss, valid_loss=valid_loss, valid_accuracy=valid_acc)
            if tally.step >= total:
                break
            control.rest(config.step_delay)

    if status == "running":
        status = "done"
    if evaluated_at != tally.step or status == "diverged":
        valid_loss, valid_acc = evaluate(model, data.x_valid, data.y_valid)
    message = divergence_message(config, tally.step, good_step) if status == "diverged" else ""
    # finite, but the loss rose: too big a step. Not for a run checked on images of another world (trained on MNIST,
    # checked on our own digits): growing confident and wrong there is what the check is for, whatever the step.
    if status == "done" and not config.trained_on and valid_loss > OVERSHOOT * start_loss:
        status, message = "overshot", overshoot_message(config, start_loss, valid_loss, valid_acc)
    event(status, train_loss=train_loss, valid_loss=valid_loss, valid_accuracy=valid_acc, message=message,
          **template_fields(model))
    return Result(model=model, config=config, status=status, steps=tally.step, seconds=tally.seconds(),
                  images_per_second=tally.speed(), train_loss=train_loss, valid_loss=valid_loss,
                  valid_accuracy=valid_acc, history=history, start_accuracy=start_acc)
