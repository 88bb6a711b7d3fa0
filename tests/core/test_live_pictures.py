"""The live pictures are pure functions too: check what they draw, without a browser."""

import io
import warnings

import numpy as np
from PIL import Image

from mnistcore import figures
from mnistcore.figures import live_pictures


def test_weights_png_is_a_real_picture():
    png = live_pictures.weights_png(np.random.randn(10, 784), [f"class {i}" for i in range(10)])
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width > 5 * 28 * 6


def test_curves_svg_draws_each_series_with_round_ticks_and_escaped_words():
    import xml.etree.ElementTree as ET
    svg = live_pictures.curves_svg({"train <smoothed>": (list(range(0, 39_101, 100)), [2.3 / (1 + i) for i in range(392)]),
                              "valid": ([100, 200], [0.9, 0.6])}, title="Loss & more", y_title="loss (NLL)")
    root = ET.fromstring(svg)  # well-formed: the names' < and & are escaped
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f"{ns}polyline")
    assert [len(p.get("points").split()) for p in lines] == [2, 392]  # drawn last to first, as the legend
    assert len(root.findall(f"{ns}circle")) == 2  # only the short series gets dots
    words = [t.text for t in root.iter(f"{ns}text")]
    assert {"Loss & more", "train <smoothed>", "step", "loss (NLL)", "10k", "30k", "0"} <= set(words)
    ys = [float(c) for p in lines for xy in p.get("points").split() for c in xy.split(",")[1:]]
    assert min(ys) >= 46 and max(ys) <= 300 - 50  # inside the plot area
    acc = ET.fromstring(live_pictures.curves_svg({"valid accuracy": ([100], [0.99])}, title="A", y_title="a", y_bounds=(0, 1)))
    assert "1.05" not in [t.text for t in acc.iter(f"{ns}text")]  # the bound holds the axis at 1
    blow_ups = ({"train": ([], [])}, {"train": ([10, 20], [float("inf"), float("nan")])}, {"train": ([5], [2.0])},
                {"train": ([10, 20], [3e30, 3e30])}, {"train": ([10, 20], [1e308, -1e308])})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero on the way
        for lines in blow_ups:  # no data yet, a run that diverges
            assert ET.fromstring(live_pictures.curves_svg(lines, title="L", y_title="l")).findall(f"{ns}polyline")


def test_the_png_sheets_and_the_charts_share_one_colour_scale():
    values = np.linspace(-1, 1, 11)  # exactly the scale's stops
    png = live_pictures._diverging_rgb(values)
    chart = figures.weight_grid(np.random.randn(10, 784), [str(d) for d in range(10)])
    scale = chart.to_dict()["data"][0]["colorscale"]
    assert [f"rgb({r},{g},{b})" for r, g, b in png] == [c for _, c in scale]
    assert tuple(png[0]) == (103, 0, 31) and tuple(png[5]) == (247, 247, 247) and tuple(png[-1]) == (5, 48, 97)
