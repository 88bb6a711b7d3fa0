"""The Break it page's charts: what each change to the digits costs a model, all the way along its switch."""

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mnistcore.figures.house import ACCENT, CLASS_COLORS, DASHES, FONT, layout
from mnistcore.figures.sentences import number


def switch_curves(switches: Sequence, lines: dict[str, dict[str, list[float]]], current: dict[str, float],
                  cols: int = 3, height: int = 620) -> go.Figure:
    """One small chart per switch (`switches`: distort.Switch): the accuracy each model in `lines`
    (name -> key -> one accuracy per amount) keeps along it; a dot where the switch stands now (`current`: key ->
    amount), on the first model's line."""
    rows = -(-len(switches) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[s.label for s in switches], horizontal_spacing=0.07,
                        vertical_spacing=0.16)
    for i, s in enumerate(switches):
        r, c = divmod(i, cols)
        xs = list(s.amounts)
        ticks = [xs[0], xs[len(xs) // 2], xs[-1]]
        for j, (name, curves) in enumerate(lines.items()):
            fig.add_trace(go.Scatter(x=xs, y=curves[s.key], mode="lines", name=name, legendgroup=name, showlegend=i == 0,
                                     line=dict(color=CLASS_COLORS[j], dash=DASHES[j % len(DASHES)], width=2),
                                     hovertemplate=f"{name}<br>{s.label.lower()} %{{x}}: %{{y:.1%}}<extra></extra>"),
                          row=r + 1, col=c + 1)
        first = next(iter(lines.values()))[s.key]
        at = xs.index(current[s.key])
        fig.add_trace(go.Scatter(x=[xs[at]], y=[first[at]], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker=dict(color=ACCENT, size=10, line=dict(color="white", width=1.5))),
                      row=r + 1, col=c + 1)
        fig.update_xaxes(tickvals=ticks, ticktext=[s.words(t) for t in ticks], gridcolor="#eee", row=r + 1,
                         col=c + 1)
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", gridcolor="#eee", showticklabels=c == 0,
                         title="accuracy" if c == 0 else None, row=r + 1, col=c + 1)
    fig.update_annotations(font=dict(size=FONT["size"]))  # the subplot titles, in the house size
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", yref="container"),
                      hovermode="closest")
    fig = layout(fig, None, height)
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))  # room for the legend above the first row's titles
    return fig


def switch_words(switches: Sequence, lines: dict[str, dict[str, list[float]]]) -> str:
    """The switch charts in words: for each switch, each model's accuracy at rest and at its worst amount."""
    parts = []
    for s in switches:
        said = []
        for name, curves in lines.items():
            ys = curves[s.key]
            worst = min(range(len(ys)), key=ys.__getitem__)
            rest = s.amounts.index(s.neutral)
            said.append(f"{name} {ys[rest]:.1%} at {s.words(s.neutral)}, lowest {ys[worst]:.1%} at "
                        f"{s.words(s.amounts[worst])}")
        parts.append(f"{s.label}: " + "; ".join(said))
    return "Accuracy along each switch, the others left alone. " + ". ".join(parts) + "."


def shift_words(shifts: Sequence[int], lines: dict[str, list[float]]) -> str:
    """The shift comparison in words: each model's accuracy at rest and at the largest shift."""
    return "; ".join(f"{name}: {ys[0]:.1%} at 0 px, {ys[-1]:.1%} at {number(shifts[-1])} px" for name, ys in lines.items()) + "."
