"""The Break it page's charts: what each change to the digits costs a model, all the way along its switch."""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mnistcore.figures.house import ACCENT, CLASS_COLORS, DASHES, INK, layout
from mnistcore.figures.images import GRID_GAP, ROW_GAP, template_grid_height, tile, weight_grid
from mnistcore.figures.sentences import number

GAP, DIGIT_ROW_GAP = 4, 9  # pixels between the digits, and between the two rows: room for each digit's words
WIDE = 880  # px: the page's width at 1280, for a row of ten templates


def before_after(before: np.ndarray, after: np.ndarray, truth: Sequence[str], read_before: Sequence[str],
                 read_after: Sequence[str], height: int = 250) -> go.Figure:
    """Digits (k, 28, 28) in [0, 1] as they are (top row) and changed (bottom row), each under what the model reads in
    it, marked right (✓) or wrong (✗, in the accent colour)."""
    k = len(before)
    rows = [tile(images, k, GAP) for images in (before, after)]  # (28, k * 32 - 4) each
    canvas = np.concatenate([rows[0], np.full((DIGIT_ROW_GAP, rows[0].shape[1]), np.nan), rows[1]])
    fig = go.Figure(go.Heatmap(z=canvas, colorscale=INK, zmin=0, zmax=1, showscale=False, hoverongaps=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))
    for row, (reads, where) in enumerate(((read_before, "as they are"), (read_after, "changed"))):
        top = row * (28 + DIGIT_ROW_GAP)
        fig.add_annotation(x=-1.5, y=top + 13.5, text=where, showarrow=False, xanchor="right", textangle=-90,
                           font=dict(size=13))
        for i, (t, r) in enumerate(zip(truth, reads)):
            right = t == r
            fig.add_annotation(x=i * (28 + GAP) + 13.5, y=top - 0.5, text=f"{r} {'✓' if right else '✗'}",
                               showarrow=False, yanchor="bottom", font=dict(size=12, color=None if right else ACCENT))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, range=[-8, k * (28 + GAP) - GAP])
    return layout(fig, None, height)


def template_rows(rows: dict[str, np.ndarray], labels: Sequence[str]) -> go.Figure:
    """Sets of ten templates (10, 784), one row each, named on the left (`rows`: name -> templates), each template on
    its own diverging scale, as large as the training page draws them."""
    k = len(labels)
    fig = weight_grid(np.concatenate(list(rows.values())), [*labels] * len(rows), cols=k,
                      height=template_grid_height(k * len(rows), k, WIDE))
    for r, name in enumerate(rows):
        fig.add_annotation(x=-2, y=r * (28 + ROW_GAP) + ROW_GAP + 13.5, text=name, showarrow=False, xanchor="right",
                           textangle=-90, font=dict(size=13))
    fig.update_xaxes(range=[-9, k * (28 + GRID_GAP) - GRID_GAP])
    return fig


def switch_curve(switch, lines: dict[str, list[float]], current: float, height: int = 210) -> go.Figure:
    """The accuracy each model in `lines` (name -> one accuracy per amount) keeps along one switch (distort.Switch), and
    a dot where the switch stands now (`current`), on the first model's line, its accuracy in the title."""
    xs = list(switch.amounts)
    fig = go.Figure()
    for j, (name, ys) in enumerate(lines.items()):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, showlegend=False,
                                 line=dict(color=CLASS_COLORS[j], dash=DASHES[j % len(DASHES)], width=2),
                                 hovertemplate=f"{name}<br>%{{x}}: %{{y:.1%}}<extra></extra>"))
    first = next(iter(lines.values()))
    at = xs.index(current)
    fig.add_trace(go.Scatter(x=[current], y=[first[at]], mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(color=ACCENT, size=11, line=dict(color="white", width=1.5))))
    middle = xs[len(xs) // 2] if switch.neutral in (xs[0], xs[-1]) else switch.neutral  # the untouched amount if not an end
    ticks = sorted({xs[0], middle, switch.neutral, xs[-1]})
    fig.update_xaxes(tickvals=ticks, ticktext=[switch.tick.format(t) for t in ticks], tickangle=0, gridcolor="#eee",
                     title=switch.axis)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", gridcolor="#eee", title="accuracy")
    fig = layout(fig, f"{switch.label}: {first[at]:.1%}", height)  # the accuracy this switch alone leaves, where it stands
    fig.update_layout(margin=dict(l=10, r=26, t=34, b=10), hovermode="closest")  # room on the right for the last tick
    return fig


def switch_words(switch, lines: dict[str, list[float]]) -> str:
    """One switch's chart in words: each model's accuracy on the untouched digits, and its lowest along the switch."""
    rest = switch.amounts.index(switch.neutral)
    return "; ".join(f"{name[0].upper()}{name[1:]}: {ys[rest]:.1%} untouched, lowest {low:.1%} at {switch.words(at)}"
                     for name, ys in lines.items() for low, at in [min(zip(ys, switch.amounts))]) + "."


def shift_words(shifts: Sequence[int], lines: dict[str, list[float]]) -> str:
    """The shift comparison in words: each model's accuracy at rest and at the largest shift."""
    return "; ".join(f"{name[0].upper()}{name[1:]}: {ys[0]:.1%} at 0 px, {ys[-1]:.1%} at {number(shifts[-1])} px"
                     for name, ys in lines.items()) + "."
