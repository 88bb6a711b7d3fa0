"""What the board computes from the class's posted runs: the table, and the digits most models get wrong."""

from collections import Counter
from dataclasses import dataclass

import numpy as np

from mnistcore import choices
from mnistcore.classroom.store import Arrays, Member, Run
from mnistcore.train import TRAINED

REFRESH = 1.0  # seconds between the board's looks at its room's version (5-9 ms of server CPU each)
REFRESH_DRAWING = 0.5  # while the class draws its digits: each drawing on the board within 3 s (issue 45)
SHOWN = 20  # runs the board's table lists: a projector's screenful (the rest are counted under it)
ORDERS = ("newest first", "best first")
UPLOADED = "from uploaded weights"  # a run that continued from a file: its accuracy is not this run's alone
FINE_TUNED = "fine-tuned from the lesson's model"  # trained on MNIST first, then on the class's own digits


@dataclass(frozen=True)
class Mistake:
    """A validation image that several of the class's models got wrong."""

    index: int  # into the validation set
    wrong_in: int  # how many of the models got it wrong
    of: int  # how many models were pooled
    said: int  # the wrong answer given most often


def shown_name(member: Member, number: int) -> str:
    """The name the board shows: the student's own, or "student N" once the teacher hid it."""
    return f"student {number}" if member.hidden else member.name


def table(runs: list[Run], members: list[Member]) -> list[dict]:
    """One row per posted run, newest first: who, the settings, and how it ended."""
    names = {m.id: shown_name(m, i + 1) for i, m in enumerate(members)}
    rows = []
    for run in reversed(runs):
        s = run.settings
        rows.append({"name": names.get(run.member, "?"), "model": s.get("model", ""),
                     "optimizer": choices.OPTIMIZER.name(s.get("optimizer", "")), "lr": s.get("lr"),
                     "batch": s.get("batch_size"), "epochs": s.get("epochs"),
                     "valid accuracy": run.accuracy if run.status != "diverged" else None,
                     "status": run.status, "seconds": run.seconds, "run": run.id, "uploaded": uploaded(run)})
    return rows


def uploaded(run: Run) -> str:
    """For a run that did not start from fresh weights (its accuracy is not its own alone), where it began, in words:
    weights the student uploaded (trained elsewhere, perhaps to 100%), or the lesson's model; else ""."""
    return {"uploaded": UPLOADED, "lesson": FINE_TUNED}.get(run.settings.get("start"), "")


def ordered(rows: list[dict], order: str) -> list[dict]:
    """The table's rows newest first, as `table` gives them, or best valid accuracy first (diverged runs last, and
    runs as good as each other newest first)."""
    if order != "best first":
        return rows
    return sorted(rows, key=lambda r: -1.0 if r["valid accuracy"] is None else r["valid accuracy"], reverse=True)


def settings_text(row: dict) -> str:
    """A run's settings in one short line for a table cell: "linear · Adam · lr 0.001 · batch 64 · 1 epoch"."""
    lr = "-" if row["lr"] is None else f"{row['lr']:g}"
    epochs = row["epochs"]
    return (f"{row['model']} · {row['optimizer']} · lr {lr} · batch {row['batch']} · "
            f"{epochs} epoch{'' if epochs == 1 else 's'}")


def percent(p: float | None) -> str:
    """An accuracy in the board's tables: 91.70%, or a dash for none."""
    return "-" if p is None else f"{p:.2%}"


def outcome(row: dict) -> str:
    """How a run ended, for a table cell: its accuracy (87.40%), that accuracy stopped early or with its loss
    risen ("83.30% (overshot)"), or reached from uploaded weights ("100.00% (from uploaded weights)"), or "diverged"."""
    if row["valid accuracy"] is None:
        return row["status"] if row["status"] == "diverged" else "-"
    notes = ([] if row["status"] == "done" else [row["status"]]) + ([row["uploaded"]] if row.get("uploaded") else [])
    shown = percent(row["valid accuracy"])
    return f"{shown} ({', '.join(notes)})" if notes else shown


def scatter_note(rows: list[dict]) -> str:
    """Words under the scatter for the runs it draws open or leaves out ("" when there are none)."""
    def runs(n: int) -> str:
        return f"{n} run{'s' if n > 1 else ''}"
    overshot = sum(r["status"] == "overshot" for r in rows)
    diverged = sum(r["status"] == "diverged" for r in rows)
    continued = sum(r.get("uploaded") == UPLOADED and r["valid accuracy"] is not None for r in rows)
    tuned = sum(r.get("uploaded") == FINE_TUNED and r["valid accuracy"] is not None for r in rows)
    words = []
    if continued:
        words.append(f"{runs(continued)} continued from uploaded weights (crosses): trained before, elsewhere, so "
                     "the accuracy is not this run's alone.")
    if tuned:
        words.append(f"{runs(tuned)} fine-tuned the lesson's model on our digits (crosses): it learned from MNIST "
                     "first.")
    if overshot:
        words.append(f"{runs(overshot)} overshot (open markers): a real accuracy, but a loss that ended far above its "
                     "start, the sign of too high a learning rate.")
    if diverged:
        words.append(f"{runs(diverged)} diverged (the loss became infinite): in the table, not on the chart.")
    return " ".join(words)


def seconds_text(seconds: float) -> str:
    """A run's training time with the digits it needs: 12.3, 0.041 (a run on the quick sample can take 40 ms)."""
    return f"{seconds:.1f}" if seconds >= 0.95 else f"{seconds:.2g}"


def latest_per_student(runs: list[Run], dataset: str) -> list[Run]:
    """Each student's newest run on `dataset` that trained to its end: the class's models, one per student (a
    stopped run's model is half-trained, a diverged one's is no model; one that overshot is a model, if a rough one)."""
    latest: dict[int, Run] = {}
    for run in runs:
        if run.dataset == dataset and run.status in TRAINED:
            latest[run.member] = run
    return list(latest.values())


def template_label(run: Run) -> str:
    """The words after a student's name under their template strip: "SGD lr 0.1 · 90.0%", and "(overshot)" or
    "(from uploaded weights)" if so."""
    optimizer = choices.OPTIMIZER.name(run.settings.get("optimizer", ""))
    notes = (["overshot"] if run.status == "overshot" else []) + ([uploaded(run)] if uploaded(run) else [])
    ending = f" ({', '.join(notes)})" if notes else ""
    return f"{optimizer} lr {run.settings.get('lr', 0):g} · {run.accuracy:.1%}{ending}"


def students(runs: list[Run], members: list[Member]) -> list[dict]:
    """One row per student: the name the board shows, runs posted, best accuracy of the runs trained here (not one
    that continued from uploaded weights), and self-check progress."""
    rows = []
    for i, m in enumerate(members):
        mine = [r.accuracy for r in runs if r.member == m.id and r.accuracy is not None and not uploaded(r)]
        rows.append({"name": shown_name(m, i + 1), "runs": sum(r.member == m.id for r in runs),
                     "best valid accuracy": max(mine) if mine else None,
                     "self-check": f"{m.answered} of {m.questions}" if m.questions else "-"})
    return rows


def main_dataset(runs: list[Run]) -> str | None:
    """The data set most of the runs trained on (the board pools the mistakes of that one)."""
    counts = Counter(run.dataset for run in runs if run.status != "diverged")
    return counts.most_common(1)[0][0] if counts else None


def pooled_mistakes(arrays: list[Arrays], n_valid: int, top: int = 24, least: float = 0.5) -> list[Mistake]:
    """The validation images that at least `least` of the models (and at least two) got wrong, most-missed first."""
    if not arrays:
        return []
    wrong_in = np.zeros(n_valid, np.int64)  # (n_valid,) how many models missed each image
    votes = np.zeros((n_valid, 10), np.int64)  # (n_valid, 10) what the models said instead
    for a in arrays:
        keep = a.wrong[(a.wrong >= 0) & (a.wrong < n_valid)]  # a post from another data set's size cannot index out
        said = a.said[: len(a.wrong)][(a.wrong >= 0) & (a.wrong < n_valid)]
        wrong_in[keep] += 1
        np.add.at(votes, (keep, np.clip(said, 0, 9)), 1)
    need = max(2, int(np.ceil(least * len(arrays)))) if len(arrays) > 1 else 1
    picked = np.flatnonzero(wrong_in >= need)
    picked = picked[np.lexsort((picked, -wrong_in[picked]))][:top]  # most-missed first, then by index
    return [Mistake(int(i), int(wrong_in[i]), len(arrays), int(votes[i].argmax())) for i in picked]
