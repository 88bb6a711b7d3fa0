"""The learning page's first part: two numbers, a and b, walk downhill to the line that fits the points."""

import numpy as np
import streamlit as st

from mnistcore import figures, learning
from ui.show import fragments, plots
from ui.state import settings


def the_path() -> list[tuple[float, float]]:
    """This session's (a, b) so far, read afresh on every run: a fragment's rerun keeps the last full run's names."""
    return st.session_state.setdefault("gd_path", [learning.START])


def verdict_words(losses: list[float], lr: float, best: tuple[float, float]) -> tuple[str, str]:
    """What the losses so far say, and the kind of box to say it in (info, success, warning or error)."""
    return {
        "start": ("info", "Press **Step**: a and b each move against their derivative."),
        "settling": ("success", "Each step lowers the loss: the path runs downhill towards the star."),
        "settled": ("success", f"Settled near the lowest point (a = {best[0]:.2f}, b = {best[1]:.2f}): the derivatives "
                               "are almost 0, so the steps are tiny."),
        "overshooting": ("warning", "The loss went **up**: this step jumped over the valley to the other side. "
                                    "A smaller rate would not."),
        "diverging": ("error", f"Diverging: at learning rate {lr:g} every step lands further up the other side than it "
                               "started, so the loss grows without end. Reset and choose a smaller rate."),
    }[learning.verdict(losses)]


def derivatives(a: float, b: float, x: np.ndarray, y: np.ndarray) -> None:
    """The two derivatives at (a, b), by the formula and by autograd, side by side."""
    fa, fb = learning.formula_grads(a, b, x, y)
    ga, gb = learning.autograd_grads(a, b, x, y)
    st.markdown("At the current a and b, the two derivatives of the loss `mean((a*x + b - y)**2)`, worked out twice:")
    # a derivative per column, not per row: three columns fit a phone, and the last rows are the point
    st.markdown("| | d loss / d a | d loss / d b |\n| --- | --- | --- |\n"
                "| the formula | `mean(2 (a x + b - y) x)` | `mean(2 (a x + b - y))` |\n"
                f"| by the formula | {fa:.6f} | {fb:.6f} |\n| **by autograd** | {ga:.6f} | {gb:.6f} |\n"
                f"| **difference** | {abs(fa - ga):.1e} | {abs(fb - gb):.1e} |")


def show(x: np.ndarray, y: np.ndarray) -> None:
    """The learning-rate slider, then Step, Play and Reset, the loss over (a, b) with the path, and the line it fits."""
    best = learning.best_line(x, y)
    lr = st.select_slider("Learning rate (how far each step goes)", learning.LINE_LRS,
                          **settings.keep("glr"))

    def step() -> None:
        """Move (a, b) one step downhill."""
        the_path().append(learning.descend(*the_path()[-1], lr, x, y))

    def reset() -> None:
        """Back to the start."""
        st.session_state.update(gd_path=[learning.START], gd_play=0)

    ticking = bool(st.session_state.get("gd_play"))  # the fragment's pace is set on a full run of the page

    @fragments.fragment(run_every=0.3 if ticking else None)
    def descent() -> None:
        """The buttons, the two charts and the two derivatives; Play steps once per tick."""
        if st.session_state.get("gd_play") and not ticking:
            st.rerun()  # Play was pressed inside this fragment: a full run starts the ticking
        if st.session_state.get("gd_play"):
            step()
            st.session_state["gd_play"] -= 1
            diverging = learning.verdict([learning.mse(a, b, x, y) for a, b in the_path()]) == "diverging"
            if not st.session_state["gd_play"] or diverging:
                st.session_state["gd_play"] = 0
                st.rerun()  # stop ticking
        buttons = st.columns([1, 1.5, 1, 3])
        buttons[0].button("Step", icon=":material/arrow_downward:", on_click=step)
        buttons[1].button("Play 30 steps", icon=":material/play_arrow:", on_click=lambda: st.session_state.update(gd_play=30))
        buttons[2].button("Reset", icon=":material/restart_alt:", on_click=reset)
        path = the_path()
        a_now, b_now = path[-1]
        losses = [learning.mse(a, b, x, y) for a, b in path]
        # the view grows to follow a path that overshoots (up to a point: a diverging one leaves any view)
        a_seen, b_seen = [a for a, _ in path if abs(a) < 60], [b for _, b in path if abs(b) < 60]
        a_vals, b_vals, grid = learning.loss_grid(x, y, (min(-4, *a_seen), max(9, *a_seen)), (min(-8, *b_seen), max(16, *b_seen)))
        left, right = st.columns(2)
        said = (f"The path: {len(path) - 1} steps from a {path[0][0]:.2f}, b {path[0][1]:.2f} to a {a_now:.2f}, b {b_now:.2f}; "
                f"the lowest loss is at a {best[0]:.2f}, b {best[1]:.2f}.")
        plots.show(left, figures.descent(a_vals, b_vals, grid, path, best, title=f"The loss over (a, b): step {len(path) - 1}"),
                    said=said)
        plots.show(right, figures.line_fit(x, y, a_now, b_now, title=f"y = {a_now:.2f} x + {b_now:.2f}, loss {losses[-1]:.3g}"))
        kind, text = verdict_words(losses, lr, best)
        getattr(st, kind)(text)
        derivatives(a_now, b_now, x, y)

    descent()
