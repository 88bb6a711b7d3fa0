"""Pure functions: arrays in, Plotly figures out, in one look for every page. Pages call them as figures.<name>.

- house: the colour language, the layout and the axes every chart shares (the PNGs of mnistcore/figures/live_pictures.py
  draw in the same colours);
- images: arrays drawn as pictures: a digit, many digits, a tensor of any rank, weight templates;
- charts: bars, histograms, training curves, the confusion matrix, the class's learning rates;
- toys: the learning page's small problems, a line fitted by gradient descent and a curve of ReLU pieces.
"""

from mnistcore.figures.charts import bars, confusion, curves, histogram, lr_scatter, run_curves
from mnistcore.figures.house import (
    CLASS_COLORS,
    DIVERGING,
    DIVERGING_RGB,
    OPTIMIZER_COLORS,
    blank,
    log_ticks,
    y_window,
)
from mnistcore.figures.images import (
    class_rows,
    enlarged,
    image,
    mosaic,
    number_grid,
    outline,
    tensor_picture,
    thumbnail,
    tile,
    weight_grid,
)
from mnistcore.figures.toys import descent, line_fit, relu_pieces

__all__ = [
    "CLASS_COLORS", "DIVERGING", "DIVERGING_RGB", "OPTIMIZER_COLORS", "blank", "log_ticks", "y_window",
    "class_rows", "enlarged", "image", "mosaic", "number_grid", "outline", "tensor_picture", "thumbnail", "tile", "weight_grid",
    "bars", "confusion", "curves", "histogram", "lr_scatter", "run_curves",
    "descent", "line_fit", "relu_pieces",
]
