"""The learning page's small problems: a line fitted by gradient descent, a curve built from ReLU pieces."""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mnistcore.figures.house import ACCENT, BELOW, MUTED, layout


def descent(a_vals: np.ndarray, b_vals: np.ndarray, losses: np.ndarray, path: Sequence[tuple[float, float]],
            best: tuple[float, float], *, title: str | None = None, height: int = 420) -> go.Figure:
    """The loss over (a, b) as contours (log scale), the path gradient descent took, and the lowest point."""
    fig = go.Figure(go.Contour(x=a_vals, y=b_vals, z=np.log10(losses), colorscale="Blues", reversescale=True,
                               contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5),
                               colorbar=dict(title="log10 loss", thickness=12),
                               hovertemplate="a %{x:.2f}, b %{y:.2f}<br>log10 loss %{z:.2f}<extra></extra>"))
    inside = [(a, b) for a, b in path if a_vals[0] <= a <= a_vals[-1] and b_vals[0] <= b <= b_vals[-1]]
    if inside:
        fig.add_trace(go.Scatter(x=[a for a, _ in inside], y=[b for _, b in inside], mode="lines+markers",
                                 line=dict(color=ACCENT, width=2), marker=dict(size=6), name="path"))
    fig.add_trace(go.Scatter(x=[best[0]], y=[best[1]], mode="markers", name="lowest loss",
                             marker=dict(symbol="star", size=14, color="gold", line=dict(color="black", width=1))))
    fig.update_xaxes(title="a (slope)", range=[a_vals[0], a_vals[-1]])
    fig.update_yaxes(title="b (intercept)", range=[b_vals[0], b_vals[-1]])
    fig.update_layout(showlegend=False)
    return layout(fig, title, height)


def line_fit(x: np.ndarray, y: np.ndarray, a: float, b: float, *, title: str | None = None, height: int = 420) -> go.Figure:
    """The points and the line y = a x + b."""
    xs = np.array([x.min(), x.max()])
    fig = go.Figure([go.Scatter(x=x, y=y, mode="markers", marker=dict(color=MUTED), name="points"),
                     go.Scatter(x=xs, y=a * xs + b, mode="lines", line=dict(color=ACCENT, width=3), name="a x + b")])
    fig.update_xaxes(title="x", gridcolor="#eee")
    fig.update_yaxes(title="y", gridcolor="#eee")
    fig.update_layout(showlegend=False)
    return layout(fig, title, height)


def relu_pieces(x: np.ndarray, target: np.ndarray, fit: np.ndarray, pieces: np.ndarray, bias: float, *,
                title: str | None = None, height: int = 420) -> go.Figure:
    """A target curve, the network's fit, and underneath, the ReLU pieces (each hidden unit's scaled hinge)."""
    fig = go.Figure()
    for i, piece in enumerate(pieces):
        fig.add_trace(go.Scatter(x=x, y=piece, mode="lines", line=dict(color=MUTED, width=1), opacity=0.7,
                                 name="one ReLU piece", showlegend=i == 0, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=target, mode="lines", line=dict(color="black", width=2, dash="dot"), name="target"))
    fig.add_trace(go.Scatter(x=x, y=fit, mode="lines", line=dict(color=ACCENT, width=3),
                             name=f"sum of the pieces + bias ({bias:+.2f})"))
    fig.update_xaxes(title="x", gridcolor="#eee")
    fig.update_yaxes(title="y", gridcolor="#eee")
    fig.update_layout(legend=BELOW)
    return layout(fig, title, height)
