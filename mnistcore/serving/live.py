"""What the training page's live view asks of a run: how often it reports, what its charts keep, and how
often the page redraws on a busy server."""

from dataclasses import replace

from mnistcore.serving.lines import CPU_SLOTS, GPU_SLOTS
from mnistcore.serving.workers import CORES
from mnistcore.train import Event, TrainConfig, total_steps

CHART_POINTS = 400  # the training page's charts keep about this many points of a run
MAX_EVENTS = 2000  # events a run keeps for them: past it, its older progress events are merged in pairs


def watched(config: TrainConfig, n_train: int) -> TrainConfig:
    """`config` as the training page runs it, drawing it as it trains: numbers and a weight picture every 10 steps,
    and a validation pass every 100 steps, or every 1/CHART_POINTS of the run when that is rarer (a 100-epoch run
    evaluated 782 times, about 19% of its time, for a chart that keeps 400 points). The benchmarks use it too."""
    every = max(100, total_steps(config, n_train) // CHART_POINTS)
    return replace(config, snapshot_every=10, report_every=10, eval_every=every)


def curves(snapshot, smoothing: float = 0.8, max_points: int = CHART_POINTS) -> dict[str, tuple[list[int], list[float]]]:
    """A job's snapshot as chart series: train loss (exponentially smoothed), valid loss and accuracy.

    Each series keeps at most about `max_points` points (evenly spaced, the last always): a long run has
    thousands, and every poll of the page would send them all again.
    """
    progress = [e for e in snapshot.events if e.kind == "progress"]
    # the last step's "eval" and the run's ending ("done", ...) carry the same validation pass: one point per step
    evals = list({e.step: e for e in snapshot.events if e.valid_loss is not None and e.kind != "progress"}.values())
    smooth, level = [], None
    for e in progress:
        level = e.train_loss if level is None else smoothing * level + (1 - smoothing) * e.train_loss
        smooth.append(level)

    def thin(xs: list, ys: list) -> tuple[list, list]:
        keep = list(range(len(xs) - 1, -1, -max(1, -(-len(xs) // max_points))))[::-1]  # stride from the end
        return [xs[i] for i in keep], [ys[i] for i in keep]

    return {
        "train loss": thin([e.step for e in progress], smooth),
        "valid loss": thin([e.step for e in evals], [e.valid_loss for e in evals]),
        "valid accuracy": thin([e.step for e in evals], [e.valid_accuracy for e in evals]),
    }


def merged(events: list[Event], most: int = MAX_EVENTS) -> list[Event]:
    """`events` with their progress events merged in pairs until at most about `most` remain, so that what a run keeps
    is bounded whatever its length (100 epochs at batch 16 on full MNIST send 31,000 progress events). A merged
    event takes the later one's step and the two losses' mean weighted by the steps each covered; validation passes
    and the run's ending are kept as they are, and so is the last step."""
    if len(events) <= most:
        return events
    out, held, before = [], None, 0  # held: a progress event waiting for its partner; before: the step before it
    for e in events:
        if e.kind != "progress":
            out.append(e)
            continue
        if held is None:
            held = e
            continue
        first, second = held.step - before, e.step - held.step
        if held.train_loss is not None and e.train_loss is not None and first + second > 0:
            e = replace(e, train_loss=(held.train_loss * first + e.train_loss * second) / (first + second))
        out.append(e)
        before, held = e.step, None
    if held is not None:  # an odd one out: the newest, kept as it is
        out.append(held)
    return sorted(out, key=lambda e: (e.step, e.kind != "progress"))  # in order again: progress before its eval


def redraw_slowdown() -> int:
    """How many times slower than alone a training page should redraw: this server's runs per core it may
    use, from 1 to 5."""
    return max(1, min(5, round((CPU_SLOTS.busy + GPU_SLOTS.busy) / CORES)))
