"""Every chart with its words: a Plotly figure, and under it one line that says what it shows (WCAG 1.1.1).

A screen reader finds nothing in a Plotly chart's SVG, and a student who reads faster than they look gets the
point at once. The words come from the figure's own data (`describe.figure`), or from the page where it knows
better what matters (the confusion matrix's worst cells, the descent's path).
"""

from app_pages import words
from mnistcore import describe


def show(where, fig, *, said: str | None = None, **kwargs):
    """`where.plotly_chart(fig, **kwargs)` (`st`, a column) with `said`, or the figure in words, as a caption under it."""
    event = where.plotly_chart(fig, **kwargs)
    where.caption(words.plain(said or describe.figure(fig)))
    return event
