"""Tensor rank & axes: a pixel, a row, an image, a batch, a colour batch."""

import inspect

import numpy as np
import streamlit as st
from PIL import Image

from mnistcore import figures, tensors
from ui.course import lesson_path, quiz
from ui.show import fragments, looks, plots
from ui.state import session, settings

ds = session.dataset()
x = tensors.batch(ds.x_valid)  # (64, 28, 28) floats in [0, 1]
st.title("Tensor rank & axes")
st.markdown(
    "A model never sees a picture, only a block of numbers. How many indices you need to pick out "
    "one number is the block's **rank**; each index runs along an **axis**. Here `x` holds "
    f"{len(x)} validation images of {ds.title}, each pixel scaled to [0, 1]."
)

st.header("From one pixel to a batch of colour images")
i = st.slider("Which image `i`", 0, len(x) - 8, **settings.keep("img", 0, len(x) - 8))
rank = st.radio("Rank", [r[0] for r in tensors.RANKS], horizontal=True,
                format_func=lambda r: f"{r}: {tensors.RANKS[r][2]}", **settings.keep("rank"))
_, expr, what, names, axes = tensors.RANKS[rank]
value = tensors.run(expr, x=x, i=i)
left, right = st.columns([2, 3])
with left:
    st.code(f"i = {i}\n{expr}", language="python")
    st.metric("shape", str(tuple(value.shape)))
    st.markdown(f"**rank** {value.ndim} · called a {names}")
    st.markdown("**axes:** " + (", ".join(f"axis {k} = {a} ({value.shape[k]})" for k,
                                          a in enumerate(axes)) or "none: a single number"))
with right:
    plots.show(st, figures.tensor_picture(value.numpy(), f"{what}: shape {tuple(value.shape)}"))
if rank == 0:
    st.caption("A single number: no index is left to choose, so it has no axes. The square is only there to show its shade.")
if rank == 4:
    st.markdown("`colour` is this page's own helper, not PyTorch's: MNIST is grey, so it tints each image with one "
                "(red, green, blue) triple. Broadcasting does it in one line: (8, 1, 28, 28) × (8, 3, 1, 1) → "
                "(8, 3, 28, 28), the (N, C, H, W) order PyTorch uses for colour batches.")
    st.code(inspect.getsource(tensors.colour), language="python")
st.caption("Mathematicians say scalar, vector, matrix; programmers say 0-D, 1-D, 2-D array; deep-learning "
           "people say rank-0, 1, 2 tensor. Same things. And 'dimension' is often used for 'axis'.")
looks.table([{"rank": r, "line": e, "what": w, "shape": str(tuple(tensors.run(e, x=x, i=i).shape)), "also called": n}
             for r, e, w, n, _ in tensors.RANKS], code=("line",))

st.header("Reducing along an axis")
st.markdown("A reduction combines all the numbers along one axis, and that axis disappears from the shape.")
c1, c2, c3 = st.columns(3)
digit = c1.selectbox("Batch `b`: images of class", range(10), format_func=lambda c: ds.classes[c],
                     **settings.keep("digit"))
op = c2.radio("Operation", tensors.REDUCTIONS, horizontal=True, **settings.keep("op"))
axis = c3.radio("Along axis", [0, 1, 2], horizontal=True, format_func=lambda a: f"{a} ({('image', 'row', 'column')[a]})",
                **settings.keep("axis"))
b = tensors.of_class(ds.x_train, ds.y_train, digit)  # (32, 28, 28)
line = tensors.reduce_line("b", op, axis)
result = tensors.run(line, b=b)
st.code(f"b.shape  # {tuple(b.shape)}\n{line}  # -> shape {tuple(result.shape)}", language="python")
scale = dict(zmin=float(result.min()), zmax=float(result.max()) if result.max() > result.min() else float(result.min()) + 1)
fig = figures.image(result.numpy(), f"{line}: shape {tuple(result.shape)}", **scale)
if axis:
    fig.update_yaxes(title="image (was axis 0)", scaleanchor=None)
    fig.update_xaxes(title=f"{('row', 'column')[2 - axis]} (was axis {3 - axis})")
plots.show(st, fig)
st.caption({0: f"Axis 0 runs across the images: reducing it combines the {len(b)} pictures pixel by pixel, so the mean "
               f"is the average {ds.classes[digit]}.",
            1: "Axis 1 runs down the rows: each image collapses to one line of 28 column totals.",
            2: "Axis 2 runs along the columns: each image collapses to one line of 28 row totals."}[axis]
           + (" argmax gives the index where the maximum sits, not the maximum itself." if op == "argmax" else ""))

st.header("Flattening: 28 rows laid end to end")
r = st.slider("Row `r`", 0, 27, **settings.keep("row"))
v = tensors.run("x[i].reshape(784)", x=x, i=i)
same = tensors.run("torch.equal(v[28*r : 28*r+28], x[i, r])", v=v, x=x, i=i, r=r)
st.code(f"v = x[i].reshape(784)   # (28, 28) -> {tuple(v.shape)}\n"
        f"torch.equal(v[28*r : 28*r+28], x[i, r])   # {same}", language="python")
left, right = st.columns([1, 2])
plots.show(left, figures.outline(figures.image(x[i].numpy(), f"x[{i}]", zmin=0, zmax=1, show_scale=False), r, r + 1, 0, 28))
where = tensors.flat_positions(r)
strip = figures.tensor_picture(v.numpy(), f"v: row {r} is positions {where.start} to {where.stop - 1}")
plots.show(right, figures.outline(strip, 0, 1, where.start, where.stop))

st.header("Conventions that bite")


@fragments.fragment()
def conventions(x, i: int) -> None:
    """Three mix-ups of axis order, a tab each; only the open tab is built (a tab switch reruns this alone)."""
    tab1, tab2, tab3 = st.tabs(["PIL size vs shape", "HWC vs CHW", "BGR vs RGB"], key="conventions", on_change="rerun")
    crop = (x[i, :, 4:24].numpy() * 255).astype(np.uint8)  # (28, 20): taller than wide, so a mix-up shows
    img = Image.fromarray(crop)
    if tab1.open:
        with tab1:
            st.code(f"crop.shape        # {crop.shape}  (rows, columns)\n"
                    f"Image.fromarray(crop).size  # {img.size}  (width, height)")
            wrong = tensors.run("np.frombuffer(img.tobytes(), np.uint8).reshape(img.size)", np=np, img=img)
            right = tensors.run("np.frombuffer(img.tobytes(), np.uint8).reshape(img.size[::-1])", np=np, img=img)
            a, c = st.columns(2)  # still pictures, not charts: there is nothing to hover, and they cost far less
            a.image(figures.enlarged(wrong / 255), caption=f"✗ ….reshape(img.size): {wrong.shape}", clamp=True,
                    alt="the crop read with its axes swapped: a scrambled picture")
            c.image(figures.enlarged(right / 255), caption=f"✓ ….reshape(img.size[::-1]): {right.shape}", clamp=True,
                    alt="the crop read as (rows, columns): the digit as it was")
    hwc = tensors.run("colour(x[i:i+1])[0].permute(1, 2, 0)", x=x, i=i).contiguous()  # (28, 28, 3), as PIL stores it
    if tab2.open:
        with tab2:
            st.markdown("PIL and matplotlib store colour images as (height, width, channels); PyTorch wants "
                        "(channels, height, width).")
            wrong, right = tensors.run("hwc.reshape(3, 28, 28)", hwc=hwc), tensors.run("hwc.permute(2, 0, 1)", hwc=hwc)
            a, c = st.columns(2)
            a.image(figures.enlarged(wrong[0].numpy()), caption="✗ hwc.reshape(3, 28, 28)[0]", clamp=True)
            c.image(figures.enlarged(right[0].numpy()), caption="✓ hwc.permute(2, 0, 1)[0]: the red channel", clamp=True)
    if tab3.open:
        with tab3:
            st.markdown("OpenCV loads colour as blue, green, red. Reversing the last axis swaps it back.")
            bgr = tensors.run("hwc.flip(-1)", hwc=hwc)
            for column, picture, label in zip(st.columns(3), (hwc, bgr, bgr.flip(-1)),
                                              ("the image", "✗ BGR shown as RGB", "✓ bgr.flip(-1)")):
                column.image(figures.enlarged(picture.numpy()), caption=label, clamp=True)


conventions(x, i)
settings.publish("img", "rank", "digit", "op", "axis", "row")
quiz.ask("tensors", {"x": x}, ds.classes)
lesson_path.next_step(__file__)
