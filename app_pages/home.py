"""Start here: what the app teaches, page by page, in the lesson's order."""

import numpy as np
import streamlit as st

from app_pages import shared
from mnistcore import figures

ds = shared.dataset()
st.title("How a neural network learns to read handwritten digits")
st.markdown(
    "A computer sees a digit as a grid of 28 × 28 numbers, one per pixel. This app follows "
    "fast.ai's *Machine Learning 1, lesson 8* step by step: from how those numbers are stored, "
    "through the loss that tells a model how wrong it is, to training one live and looking at "
    "what it still gets wrong. Every page runs on real images and real code."
)
first_of_each = [int(np.flatnonzero(ds.y_train == c)[0]) for c in range(10)]
st.plotly_chart(
    figures.mosaic(ds.x_train[first_of_each] / 255, [ds.classes[c] for c in range(10)], zmin=0, zmax=1,
                   title=f"One training image of each class from {ds.title}"),
    config={"displayModeBar": False},
)
st.subheader("The path through the lesson")
STEPS = [
    ("app_pages/tensors.py", "Tensor rank & axes", "a pixel, a row, an image, a batch: rank 0 to 4, and what 'axis 0' means."),
    ("app_pages/normalization.py", "Normalization", "why we subtract the training mean and divide by its standard deviation, and why the validation set must use the same numbers."),
    ("app_pages/reshape.py", "Reshape & slicing", "turning 784 numbers back into a 28 × 28 picture, cutting pieces out of it, and broadcasting."),
    ("app_pages/softmax.py", "Softmax & cross-entropy", "turning ten scores into probabilities, and scoring how wrong they are."),
    ("app_pages/training.py", "Live training", "the lesson's model learning, with its ten weight templates taking shape as you watch."),
    ("app_pages/mistakes.py", "The model's mistakes", "the digits it gets wrong, why, and your own handwriting."),
]
for row in (STEPS[:3], STEPS[3:]):
    for col, (path, title, what) in zip(st.columns(3), row):
        with col.container(border=True, height=140):
            st.page_link(path, label=f"**{STEPS.index((path, title, what)) + 1}. {title}**")
            st.caption(what)
st.caption("The sidebar's settings (data set, device, seed) apply to every page, and each page's settings are "
           "kept in its address: copy the link to share exactly what you see.")
