"""Figures are pure functions of arrays: check what they draw, without a browser."""


import numpy as np
import plotly.io as pio
import pytest

from mnistcore import figures


def test_tile_places_images_with_gaps():
    imgs = np.arange(3 * 4 * 5, dtype=float).reshape(3, 4, 5)
    canvas = figures.tile(imgs, cols=2, gap=1)
    assert canvas.shape == (2 * 4 + 1, 2 * 5 + 1)
    np.testing.assert_array_equal(canvas[:4, 6:], imgs[1])
    assert np.isnan(canvas[4]).all() and np.isnan(canvas[5:, 6:]).all()


def test_tensor_picture_for_every_rank():
    for shape in [(), (28,), (28, 28), (8, 28, 28), (8, 3, 28, 28)]:
        fig = figures.tensor_picture(np.random.rand(*shape), "t")
        assert fig.layout.title.text == "t" and len(fig.data) == 1


def test_weight_grid_is_centred_on_zero():
    w = np.random.randn(10, 784)
    fig = figures.weight_grid(w, [str(i) for i in range(10)])
    assert fig.data[0].zmid == 0 and len(fig.layout.annotations) == 10
    assert fig.data[0].zmax == -fig.data[0].zmin == 1  # each template on its own scale, from -its max to +its max
    w[3] *= 100  # one class's extreme weights no longer fade the others
    fig = figures.weight_grid(w, [str(i) for i in range(10)])
    limits = np.abs(w).max(axis=1)
    assert [a.text.split("±")[1] for a in fig.layout.annotations] == [f"{lim:.2g}" for lim in limits]
    np.testing.assert_allclose(np.nanmax(np.abs(fig.data[0].z)), 1)


def test_confusion_has_a_clickable_point_per_cell():
    counts = np.arange(100).reshape(10, 10)
    fig = figures.confusion(counts, [str(i) for i in range(10)], selected=(3, 5))
    points = fig.data[-1]
    assert len(points.x) == 100 and list(points.customdata[:3]) == [0, 1, 2]
    assert fig.layout.shapes[0].x0 == 4.5 and fig.layout.shapes[0].y0 == 2.5


def test_thumbnail_keeps_aspect():
    t = figures.thumbnail(np.ones((10, 40)), size=56)
    filled = ~np.isnan(t)
    assert t.shape == (56, 56) and filled.any(axis=1).sum() == 14 and filled.any(axis=0).sum() == 56


def test_run_curves_dot_few_points_and_keep_their_bounds():
    fig = figures.run_curves({"train": (list(range(50)), [1.0] * 50), "valid": ([10], [0.9])}, title="Loss", y_title="loss")
    assert [t.name for t in fig.data] == ["train", "valid"] and [t.mode for t in fig.data] == ["lines", "lines+markers"]
    assert fig.layout.yaxis.autorangeoptions.maxallowed is None  # a loss has no ceiling
    legend = fig.layout.legend  # over the plot at the right, as the picture drawn while it trains: not on the axis title
    assert (legend.x, legend.xanchor, legend.y, legend.yanchor, legend.yref) == (1, "right", 1, "bottom", "paper")
    acc = figures.run_curves({"valid accuracy": ([100], [0.8])}, title="Accuracy", y_title="accuracy", y_bounds=(0, 1))
    assert (acc.layout.yaxis.autorangeoptions.minallowed, acc.layout.yaxis.autorangeoptions.maxallowed) == (0, 1)


def test_an_accuracy_axis_is_at_least_its_minimum_span_tall_and_stays_inside_its_bounds():
    assert figures.y_window([0.79, 0.83], (0, 1), 0.2) == pytest.approx((0.71, 0.91))  # not 0.79-0.83: a wobble stays small
    assert figures.y_window([0.95, 0.99], (0, 1), 0.2) == pytest.approx((0.8, 1.0))  # slid down, not cut, at the top
    lo, hi = figures.y_window([0.2, 0.9], (0, 1), 0.2)
    assert lo < 0.2 and hi > 0.9 and hi - lo < 0.8  # a wide range keeps its own padding


def test_log_axes_label_every_tick_in_full():
    ticks, words = figures.log_ticks(np.array([0.08, 0.3, 2.4]))  # the normalization race: about a decade and a half
    assert words == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50"]
    assert ticks[3] == pytest.approx(0.1)
    ticks, words = figures.log_ticks(np.array([1e-3, 1.0, 1e9, 0.0, np.nan]))  # many decades: powers of ten only
    assert len(ticks) <= 9 and np.allclose(np.log10(ticks), np.round(np.log10(ticks))) and words[-1] == "10<sup>9</sup>"
    assert "0.001" in words and "1000" in words  # plain numbers where they read well
    chart = figures.curves({"a": ([0, 1, 2], [2.4, 0.3, 0.08])}, log_y=True)
    assert chart.layout.yaxis.ticktext == tuple(figures.log_ticks(np.array([2.4, 0.3, 0.08]))[1])
    assert figures.log_ticks(np.array([0.0, -1.0])) == ([], [])


def test_a_confusion_matrix_writes_white_on_its_dark_cells_and_dark_on_its_light_ones():
    counts = np.array([[90, 2, 40], [1, 80, 3], [5, 0, 85]])
    fig = figures.confusion(counts, ["a", "b", "c"])
    colour_of = {}
    for trace in fig.data:
        if trace.type == "heatmap":
            z = np.asarray(trace.z, dtype=float)
            for r, c in zip(*np.nonzero(np.isfinite(z))):
                colour_of[(int(r), int(c))] = trace.textfont.color
    assert colour_of[(0, 2)] == "white" and colour_of[(1, 0)] == "black"  # the worst mistake, and a rare one
    assert len(colour_of) == 9  # every cell drawn once


def test_a_diverging_map_says_for_and_against_on_hover_not_only_in_colour():
    w = np.zeros((2, 784))
    w[0, 0], w[0, 1], w[1, 0] = 2.0, -1.0, -3.0
    fig = figures.weight_grid(w, ["a", "b"])
    z, words = np.asarray(fig.data[0].z, dtype=float), np.asarray(fig.data[0].text)
    assert (words[z > 0] == "for").all() and (words[z < 0] == "against").all() and (z > 0).any() and (z < 0).any()
    assert "%{text} the class" in fig.data[0].hovertemplate
    evidence = figures.image(np.array([[0.5, -0.5]]), "evidence", colorscale=figures.DIVERGING, zmid=0)
    assert np.asarray(evidence.data[0].text).tolist() == [["for", "against"]]
    assert figures.image(np.array([[0.5]]), "pixels").data[0].text is None  # a picture of ink has no sides


def test_blank_is_built_once_and_sends_almost_nothing():
    """The hidden chart that loads plotly.js is one figure per process, without the template's 6 kB of JSON."""
    assert figures.blank() is figures.blank()
    assert len(pio.to_json(figures.blank().to_dict(), validate=False)) < 200


MARKUP = "<b>BOLD</b><i>ital</i> <a href='http://evil.example'>x</a> <span style='font-size:80px'>big</span> &amp;"


def test_text_from_outside_reaches_plotly_as_text_not_tags():
    from mnistcore.figures.house import outside
    assert outside(MARKUP).count("<") == 0 and outside(MARKUP).count(">") == 0
    assert outside("a & b") == "a &amp; b"  # an ampersand is shown as itself, not read as the start of an entity
    row = {"name": MARKUP, "optimizer": "Adam", "lr": 0.01, "valid accuracy": 0.9, "batch": 64, "epochs": 1,
           "status": "done", "seconds": 1.0, "run": 1, "model": "linear"}
    every_text = [
        figures.lr_scatter([row]).data[0].text[0],
        figures.bars([0.5, 0.5], [MARKUP, "b"]).data[0].x[0],
        figures.confusion(np.eye(2, dtype=int), [MARKUP, "b"]).layout.xaxis.ticktext[0],
        figures.image(np.zeros((2, 2)), MARKUP).layout.title.text,
    ]
    for text in every_text:
        assert "<" not in text and ">" not in text, text
        assert "&lt;b&gt;BOLD&lt;/b&gt;" in text and "&amp;amp;" in text


def test_every_count_on_the_confusion_matrix_reads_at_wcag_contrast():
    import plotly.colors

    from mnistcore.figures.charts import _luminance

    rng = np.random.default_rng(0)
    counts = rng.integers(0, 60, (10, 10))
    np.fill_diagonal(counts, rng.integers(770, 1100, 10))  # the diagonal's lowest count was dark text on dark green
    for normalized in (False, True):
        fig = figures.confusion(counts, [str(d) for d in range(10)], normalized=normalized)
        for trace in (t for t in fig.data if t.type == "heatmap"):
            assert not isinstance(trace.colorscale, str)  # the colours themselves: plotly.js names some scales otherwise
            z = np.array(trace.z, dtype=float)
            for i, j in zip(*np.nonzero(np.isfinite(z))):
                place = (z[i, j] - trace.zmin) / max(trace.zmax - trace.zmin, 1e-12)
                cell = plotly.colors.sample_colorscale([list(c) for c in trace.colorscale], [place])[0]
                text = (255, 255, 255) if trace.textfont.color == "white" else (0, 0, 0)
                a, b = sorted((_luminance(plotly.colors.unlabel_rgb(cell)), _luminance(text)))
                assert (b + 0.05) / (a + 0.05) >= 4.5, (normalized, i, j, cell, trace.textfont.color)


def test_identical_runs_share_one_marker_counted():
    row = {"optimizer": "SGD", "lr": 0.1, "valid accuracy": 0.868, "status": "done", "batch": 64, "epochs": 1}
    rows = [{**row, "name": n} for n in ("Ann", "Ben", "Cy", "Dee")] + [{**row, "name": "Eve", "lr": 1.0}]
    sgd = next(t for t in figures.lr_scatter(rows).data if t.name == "SGD")
    assert len(sgd.x) == 2 and list(sgd.texttemplate) == ["× 4", ""]
    assert all(n in sgd.text[0] for n in ("Ann", "Ben", "Cy", "Dee")) and "Eve" in sgd.text[1]
