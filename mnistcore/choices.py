"""The choices of a training run, declared once: each one's default, its allowed values, its key in a link and
in a teacher's task, its command-line flag and its words.

`TrainConfig` takes its defaults from here; the training page draws its widgets from here; the teacher's task,
the board's labels and `python -m mnistcore train` read the same entries. Adding a choice means one entry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mnistcore import models
from mnistcore.transfer import ADD, ALONE, CHECK


@dataclass(frozen=True)
class Choice:
    """One setting of a run: what it is called where, what it may be, and how it reads."""

    field: str  # TrainConfig's field ("" for a choice the page turns into other fields, as pace is)
    key: str  # its name in a link (?lr=0.001) and in a teacher's task
    label: str  # its widget's label
    default: Any
    cast: Callable[[str], Any]  # text (a link, a task, the command line) -> value
    options: tuple = ()  # the values a page offers; empty: any value from lo to hi
    lo: float | None = None
    hi: float | None = None
    names: dict = field(default_factory=dict)  # how an option reads, where it is not its own text
    aliases: dict = field(default_factory=dict)  # other spellings a link may use
    help: str = ""

    def parse(self, raw: Any) -> Any:
        """`raw` (text or a value) as this choice's value; ValueError when the page does not offer it."""
        text = str(raw).strip()
        value = self.aliases.get(text.lower())
        value = self.cast(text) if value is None else value
        if self.options and value not in self.options:
            raise ValueError(f"{self.key}={text} is not one of {', '.join(map(self.name, self.options))}")
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise ValueError(f"{self.key}={text} is outside {self.lo:g} to {self.hi:g}")
        return value

    def name(self, value: Any) -> str:
        """`value` in words: "Adam", "one-cycle", "0.001"."""
        if value in self.names:
            return self.names[value]
        return f"{value:g}" if isinstance(value, float) else str(value)

    @property
    def flag(self) -> str:
        """The command line's flag: --batch-size for batch_size."""
        return "--" + self.field.replace("_", "-")


LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCHES = (16, 32, 64, 128, 256, 512, 1024)
MAX_EPOCHS = 100  # a long run for a class to watch: about a minute of Fashion-MNIST on one core
WATCH_EPOCH_SECONDS = 25  # slow motion: one epoch in about this long, whatever its number of steps, so eyes can follow

MODEL = Choice("model", "model", "Model", "linear", str, tuple(models.NAMES), names=dict(models.NAMES))
OPTIMIZER = Choice("optimizer", "optim", "Optimizer", "adam", str, ("adam", "sgd"), names={"adam": "Adam", "sgd": "SGD"})
LR = Choice("lr", "lr", "Learning rate", 1e-3, float, LRS)
BATCH = Choice("batch_size", "batch", "Batch size", 64, int, BATCHES)
EPOCHS = Choice("epochs", "epochs", "Epochs", 1, int, lo=1, hi=MAX_EPOCHS)
SCHEDULE = Choice("schedule", "sched", "Schedule", "constant", str, ("constant", "onecycle"),
                  names={"onecycle": "one-cycle"},
                  aliases={"one-cycle": "onecycle", "one_cycle": "onecycle", "1cycle": "onecycle", "fixed": "constant"})
MOMENTUM = Choice("momentum", "mom", "Momentum (SGD)", 0.9, float, lo=0.0, hi=0.99)
PACE = Choice("", "pace", "Pace", "slow", str, ("slow", "full"), names={"slow": "slow motion", "full": "full speed"},
              help=f"Slow motion rests after each step so that an epoch takes about {WATCH_EPOCH_SECONDS} s and you can "
                   "watch the templates form. Full speed trains an epoch of all of MNIST in about a second.")

# Only with digits of one's own (mnistcore/transfer.py): which images train the run, and which check it.
LEARN = Choice("", "learn", "Train on", ALONE, str, (ALONE, CHECK, ADD),
               names={ALONE: "our digits alone", CHECK: "MNIST, checked on ours", ADD: "the lesson's model + ours"},
               help="Our digits alone: a new model learns from the training part of our digits. MNIST, checked on "
                    "ours: a new model learns from MNIST's 50,000 digits and never sees ours; all of ours check it. "
                    "The lesson's model + ours: the model trained on MNIST learns further from the training part of "
                    "ours (fine-tuning), and the rest check it.")

RUN = (MODEL, OPTIMIZER, LR, BATCH, EPOCHS, SCHEDULE, MOMENTUM, PACE)  # the order the page and the task show them
BY_KEY = {c.key: c for c in RUN}


def step_delay(pace: str, steps_per_epoch: int) -> float:
    """Seconds to rest after each step at `pace`: slow motion spreads an epoch over WATCH_EPOCH_SECONDS."""
    return WATCH_EPOCH_SECONDS / steps_per_epoch if pace == "slow" else 0.0


def read(values: dict[str, Any]) -> dict[str, Any]:
    """The entries of `values` (keyed by link key) that parse, as their values; the others are left out."""
    kept = {}
    for key, raw in values.items():
        if key in BY_KEY:
            try:
                kept[key] = BY_KEY[key].parse(raw)
            except (ValueError, TypeError, OverflowError):
                pass
    return kept


def summary(values: dict[str, Any]) -> str:
    """Run settings keyed by link key in one line: "the lesson's nn.Sequential · Adam · lr 0.001 · batch 64 · 1 epoch"."""
    parts = [BY_KEY[k].name(values[k]) for k in ("model", "optim") if k in values]
    if "lr" in values:
        parts.append(f"lr {LR.name(float(values['lr']))}")
    if "batch" in values:
        parts.append(f"batch {values['batch']}")
    if "epochs" in values:
        parts.append(f"{values['epochs']} epoch{'' if values['epochs'] == 1 else 's'}")
    return " · ".join(parts)
