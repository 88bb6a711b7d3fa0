"""The lesson's two speed claims, measured here: scikit-learn against our model, and a bigger batch
or a GPU against the lesson's batch of 64 on the CPU.

Every timing is repeated; a comparison is read from the medians, and only when the spreads of the
two sides do not overlap (otherwise it says "about the same"). The words are made from the numbers,
never the other way round.
"""

import statistics
import time
import warnings
from dataclasses import dataclass

from mnistcore import devices
from mnistcore.data import Dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train

BATCHES = (64, 1024)  # the lesson's batch, and one big enough to keep a GPU busy
REPEATS = {"sklearn": 3, "epoch": 5}  # scikit-learn's fit takes ~11 s on full MNIST; an epoch ~0.5 s


@dataclass(frozen=True)
class Trial:
    """One timed measurement: scikit-learn's fit, or one epoch of ours on `kind` at `batch`."""
    what: str  # "sklearn" or "epoch"
    kind: str = "cpu"
    batch: int = 64
    repeat: int = 0


def trials(kinds: list[str] | None = None) -> list[Trial]:
    """Every measurement the claims need, in the order they run (one at a time, so none slows another)."""
    kinds = kinds if kinds is not None else [k for k in devices.available() if k != "mps"]
    epochs = [Trial("epoch", kind, batch, r) for r in range(REPEATS["epoch"]) for kind in kinds for batch in BATCHES]
    return epochs + [Trial("sklearn", repeat=r) for r in range(REPEATS["sklearn"])]


def measure(ds: Dataset, trial: Trial) -> dict:
    """Time one trial on `ds`: {"seconds", "accuracy"} (valid accuracy)."""
    if trial.what == "sklearn":
        return _sklearn(ds)
    data = to_tensors(ds, trial.kind)
    train(TrainConfig(batch_size=trial.batch, max_steps=20), data)  # warm up: the first steps pay one-off costs
    result = train(TrainConfig(batch_size=trial.batch), data)  # the lesson's settings: Adam, lr 1e-3, one epoch
    return {"seconds": result.seconds, "accuracy": result.valid_accuracy}


def _sklearn(ds: Dataset) -> dict:
    """scikit-learn's LogisticRegression on the same normalized pixels, timed."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    data = to_tensors(ds)
    x, y = data.x_train.numpy(), data.y_train.numpy()  # (50000, 784), (50000,)
    start = time.perf_counter()
    with warnings.catch_warnings():  # it stops at 100 iterations either way; the accuracy says how far it got
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LogisticRegression(max_iter=100).fit(x, y)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "accuracy": float((clf.predict(data.x_valid.numpy()) == data.y_valid.numpy()).mean())}


@dataclass(frozen=True)
class Timing:
    """The repeats of one measurement: median, fastest and slowest seconds, and the (last) accuracy."""
    median: float
    low: float
    high: float
    repeats: int
    accuracy: float
    seconds: tuple[float, ...] = ()  # every repeat, for `compare`

    def __str__(self) -> str:
        """'0.40 s (0.38-0.45 s over 5 runs)'."""
        return f"{self.median:.2f} s ({self.low:.2f}-{self.high:.2f} s over {self.repeats} runs)"


def timing(results: list[dict]) -> Timing:
    """The median and the spread of repeated results."""
    seconds = [r["seconds"] for r in results]
    return Timing(statistics.median(seconds), min(seconds), max(seconds), len(seconds), results[-1]["accuracy"],
                  tuple(seconds))


def collect(done: dict[Trial, dict]) -> dict[tuple[str, str, int], Timing]:
    """Group finished trials into timings keyed by (what, kind, batch)."""
    groups: dict[tuple[str, str, int], list[dict]] = {}
    for trial in sorted(done, key=lambda t: t.repeat):
        groups.setdefault((trial.what, trial.kind, trial.batch), []).append(done[trial])
    return {key: timing(results) for key, results in groups.items()}


SAME_WITHIN = 1.2  # two timings whose typical ratio is nearer 1 than this took about the same time


def compare(a: Timing, b: Timing) -> tuple[str, float]:
    """How `a` did against `b`: ("faster", r) when it took r times less, ("slower", r) when r times more, ("same", r)
    when they are within SAME_WITHIN of each other (r is the ratio of medians either way).

    The verdict is the median of the ratios of every pair of repeats, b's over a's: one slow repeat on a loaded machine
    moves it little. Overlapping spreads, the rule it replaces, called medians of 0.40 and 1.86 s "the same"."""
    def runs(t: Timing) -> tuple[float, ...]:
        return t.seconds or (t.low, t.median, t.high)

    typical = statistics.median(y / x for x in runs(a) for y in runs(b))
    ratio = max(a.median, b.median) / min(a.median, b.median)
    if 1 / SAME_WITHIN < typical < SAME_WITHIN:
        return "same", ratio
    return ("faster", ratio) if typical > 1 else ("slower", ratio)


def as_fast(a: str, b: str, verdict: tuple[str, float]) -> str:
    """`compare`'s verdict for `a` against `b` in words."""
    kind, ratio = verdict
    if kind == "same":
        return f"{a} and {b} took about the same time (within {SAME_WITHIN - 1:.0%} of each other)"
    return f"{a} was **{ratio:.1f}× as fast as** {b}" if kind == "faster" else f"{a} took **{ratio:.1f}× as long as** {b}"


def what_they_say(t: dict[tuple[str, str, int], Timing], cpu: str = "cpu", gpu: str | None = None) -> list[str]:
    """The claims in sentences, each derived from the timings `collect` made."""
    big = BATCHES[-1]
    sk, ours, wide = t["sklearn", "cpu", 64], t["epoch", cpu, 64], t["epoch", cpu, big]
    said = [f"**scikit-learn or ours:** {as_fast('our epoch', 'scikit-learn', compare(ours, sk))}, "
            f"reaching {ours.accuracy:.1%} against its {sk.accuracy:.1%} on the valid images.",
            f"**Bigger batches:** a step of {big:,} images does the work of {big // 64} steps of 64 at once. On the CPU, "
            f"{as_fast(f'the epoch at {big:,}', 'the epoch at 64', compare(wide, ours))}, but the model took "
            f"{big // 64}× fewer steps: {wide.accuracy:.1%} after one epoch, against {ours.accuracy:.1%}."]
    if gpu is None:
        return said
    per_batch = [as_fast(f"with {b:,} images a step, the GPU", "the CPU", compare(t["epoch", gpu, b], t["epoch", cpu, b]))
                 for b in BATCHES]
    small = compare(t["epoch", gpu, 64], t["epoch", cpu, 64])[0] != "faster"
    why = (" This model is tiny (7,850 weights), so a step of 64 images is a handful of very small operations: the GPU "
           "finishes each in microseconds and then waits for Python to send the next." if small else "")
    said.append(f"**What it says about `.cuda()`:** {'; '.join(per_batch)}.{why} The GPU pays off when each operation "
                "has enough work to fill it: bigger batches, or the bigger networks of later lessons.")
    return said
