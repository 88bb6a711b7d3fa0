"""The Break it page's curves: what each switch costs all the way along it, for the lesson's model (once per server)
and for the session's own model (once per model), measured in the page pool's worker processes."""

import streamlit as st
import torch

from mnistcore import distort, models, train
from mnistcore.data import Dataset
from mnistcore.figures import robustness
from ui.sections import model_edits
from ui.show import fragments, plots
from ui.state import server_work

LESSON = "the lesson's model"
YOURS = "your model"


def weights(ds: Dataset, seed: int, own: torch.nn.Module | None) -> dict[str, bytes | None]:
    """Each line's model as a weights file: the lesson's (None until its worker has trained it) and the session's own."""
    lesson = server_work.start(train.lesson_model_file, ds, seed)
    lines = {LESSON: lesson.result() if lesson.done() and not lesson.cancelled() and not lesson.exception() else None}
    if own is not None:
        lines[YOURS] = models.to_file(own)
    return lines


def measured(ds: Dataset, seed: int, lines: dict[str, bytes | None]) -> bool:
    """Whether every line's curves are computed (each is started in a worker if it was not)."""
    return all(w is not None and server_work.start(distort.curves, ds, w, seed).done() for w in lines.values())


@st.cache_resource(max_entries=512)
def chart(key: tuple, switch: str, amount: float, _lines: dict[str, list[float]]) -> tuple:
    """One switch's chart with its dot at `amount`, and its words, for the curves `key` (data set, seed, own model)
    names: built once for every session (read only), so a move rebuilds only the chart whose dot moved."""
    s = next(s for s in distort.SWITCHES if s.key == switch)
    return robustness.switch_curve(s, _lines, amount), robustness.switch_words(s, _lines)


def show(ds: Dataset, seed: int, own: torch.nn.Module | None, current: dict) -> None:
    """The charts of every switch, or, while a worker measures them, a line that says so (polled each second)."""
    waiting = not measured(ds, seed, weights(ds, seed, own))

    @fragments.fragment(run_every=1.0 if waiting else None)
    def curves() -> None:
        """The charts once every line is measured; a note meanwhile."""
        lines = weights(ds, seed, own)
        if not measured(ds, seed, lines):
            st.info("Measuring every switch all the way along, on every validation image, in a worker process (once "
                    "per server, a few seconds). The switches above work meanwhile.", icon=":material/hourglass_top:")
            return
        if waiting:
            st.rerun()  # all measured: a full run draws them and stops the polling
        found = {name: server_work.result(distort.curves, ds, w, seed, waiting="") for name, w in lines.items()}
        if len(found) > 1:
            st.caption("Blue, solid: " + LESSON + "; orange, dashed: " + YOURS + ".")
        cells = [c for _ in range(0, len(distort.SWITCHES), 3) for c in st.columns(3)]  # row by row, as the switches
        key = (ds.key, seed, model_edits.token(own) if own is not None else None)
        for cell, s in zip(cells, distort.SWITCHES):
            fig, said = chart(key, s.key, current[s.key], {name: curves[s.key] for name, curves in found.items()})
            plots.show(cell, fig, said=said, config={"displayModeBar": False})

    curves()
