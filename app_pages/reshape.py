"""Reshape & slicing: the moves the lesson says must become automatic."""

import streamlit as st

from mnistcore import figures, tensors
from ui.course import lesson_path, quiz
from ui.show import looks, plots, words
from ui.state import session, settings

ds = session.dataset()
x_imgs = tensors.batch(ds.x_valid, 16)  # (16, 28, 28) in [0, 1]; fewer for a small data set of one's own
x_flat = x_imgs.reshape(len(x_imgs), 784)  # (16, 784): how the lesson's pickle stores them
st.title("Reshape & slicing")
st.markdown(
    "The lesson's file stores each image as 784 numbers in a row. To look at one, you reshape it; to "
    "study a part of it, you slice it. Both only change *how you index* the same numbers."
)

st.header("Reshape: the same numbers, a new shape")
st.markdown(f"`x` holds {len(x_flat)} flattened images: shape {tuple(x_flat.shape)}, {x_flat.numel():,} numbers. "
            "Type a new shape; `-1` means *work this size out*.")
text = st.text_input("New shape", **settings.keep("shape"))
try:
    check = tensors.check_reshape(x_flat.numel(), tensors.read_shape(text, minus_one=True))
except ValueError as e:
    check = tensors.ReshapeCheck(False, (), str(e))
if check.ok:
    line = f"x.reshape({', '.join(map(str, tensors.read_shape(text, minus_one=True)))})"
    out = tensors.run(line, x=x_flat)
    st.code(f"{line}   # -> {tuple(out.shape)}", language="python")
    st.success(words.plain(check.explanation))
    if out.ndim >= 2 and out.shape[-1] * out.shape[-2] <= 784 * 4:
        tiles = out.reshape(-1, out.shape[-2], out.shape[-1])[:16].numpy()  # (k, H, W)
        plots.show(st, figures.mosaic(tiles, cols=8, zmin=0, zmax=1,
                                       title=f"the first {len(tiles)} {tuple(out.shape[-2:])} slices"))
    else:
        st.caption("Too long or thin to draw as a picture; the shape is the point here.")
else:
    st.error(f"{words.plain(text)} does not fit. {words.plain(check.explanation)}")  # text from a link: never Markdown

st.subheader("view vs reshape, and what permute does")
t = tensors.run("x_imgs[0].permute(1, 0)", x_imgs=x_imgs)
st.markdown("`view` never copies: it only reinterprets the memory, so it needs the numbers laid out in order "
            "(*contiguous*). `permute` swaps axes by changing the strides, which breaks that order.")
looks.table([{"tensor": "x_imgs[0]", **tensors.contiguity(x_imgs[0])},
             {"tensor": "x_imgs[0].permute(1, 0)", **tensors.contiguity(t)}], code=("tensor",))
for line in ("x_imgs[0].permute(1, 0).view(784)", "x_imgs[0].permute(1, 0).reshape(784)"):
    out, err = tensors.attempt(line, x_imgs=x_imgs)
    st.code(f"{line}\n# -> " + (err or f"shape {tuple(out.shape)} (a copy)"), language="python")

st.header("Slicing: a window on the numbers")
i = st.slider("Image `i`", 0, len(x_imgs) - 1, **settings.keep("slice_img"))
r0, r1 = st.slider("Rows `r0:r1`", 0, 28, **settings.keep("rows"))
c0, c1 = st.slider("Columns `c0:c1`", 0, 28, **settings.keep("cols"))
line = f"x_imgs[{i}, {r0}:{r1}, {c0}:{c1}]"
part = tensors.run(line, x_imgs=x_imgs)
st.code(f"{line}   # -> shape {tuple(part.shape)}", language="python")
left, right = st.columns(2)
plots.show(left, figures.outline(figures.image(x_imgs[i].numpy(), f"x_imgs[{i}]", zmin=0, zmax=1, show_scale=False), r0, r1,
                                  c0, c1))
if part.numel() == 0:
    right.warning("This slice is empty: a range like 5:5 holds nothing.")
elif part.numel() <= 144:
    plots.show(right, figures.number_grid(part.numpy(), "the numbers in the window", row0=r0, col0=c0))
else:
    plots.show(right, figures.image(part.numpy(), "the window (too many numbers to print)", zmin=0, zmax=1))

st.subheader("Each integer index removes an axis")
looks.table([{"line": e, "shape": str(tuple(tensors.run(e, x_imgs=x_imgs).shape)), "rank": tensors.run(e, x_imgs=x_imgs).ndim}
             for e in ("x_imgs", "x_imgs[0]", "x_imgs[0, 5]", "x_imgs[0, 5, 5]", "x_imgs[0, 5:6, 5:6]")], code=("line",))
st.markdown("`x[0][2]` and `x[0, 2]` give the same row of a tensor. On a jagged list of lists only the first works, "
            "because a list cannot be indexed by a pair:")
jagged = [[1, 2, 3], [4, 5]]
for line in ("jagged[0][2]", "jagged[0, 2]", "x_imgs[0][2].shape", "x_imgs[0, 2].shape"):
    out, err = tensors.attempt(line, jagged=jagged, x_imgs=x_imgs)
    st.code(f"{line}   # -> {err or out}", language="python")

st.subheader("Negative indices, steps and masks")
expr = st.selectbox("Try a line on `img = x_imgs[i]`", list(tensors.SLICES), **settings.keep("slice"))
out, err = tensors.attempt(expr, img=x_imgs[i])
st.caption(tensors.SLICES[expr])
if err:
    st.code(f"{expr}\n# -> {err}", language="python")
else:
    st.code(f"{expr}   # -> shape {tuple(out.shape)}", language="python")
    plots.show(st, figures.tensor_picture(out.float().numpy(), f"{expr}: shape {tuple(out.shape)}"))

st.header("Broadcasting: when shapes differ")
st.markdown("Adding a vector to a matrix adds it to **every row**. The rule: line the shapes up from the right; "
            "each pair must be equal, or one of them 1 (or missing), and a 1 is stretched to fit.")
ramp = tensors.run("torch.linspace(0, 1, 28)")  # (28,)
a, b = st.columns(2)
plots.show(a, figures.image(tensors.run("img + c", img=x_imgs[i], c=ramp).numpy(), "img + c: c added to every row", height=300))
plots.show(b, figures.image(tensors.run("img + c[:, None]", img=x_imgs[i], c=ramp).numpy(), "img + c[:, None]: to every column",
                             height=300))
st.caption("`c` is `torch.linspace(0, 1, 28)`, shape (28,). `c[None]` is (1, 28) and `c[:, None]` is (28, 1).")
left, right = st.columns(2)
sa = left.text_input("Shape of the left tensor", **settings.keep("bc_a"))
sb = right.text_input("Shape of the right tensor", **settings.keep("bc_b"))
try:
    bc = tensors.check_broadcast(tensors.read_shape(sa), tensors.read_shape(sb))
    looks.table([{"left": r[0], "right": r[1], "result": r[2], "why": r[3]} for r in bc.rows])
    (st.success if bc.ok else st.error)(bc.explanation)
except ValueError as e:
    st.error(words.plain(e))
settings.publish("shape", "slice_img", "rows", "cols", "slice", "bc_a", "bc_b")
quiz.ask("reshape", {"x": x_flat, "x_imgs": x_imgs, "c": ramp}, ds.classes)
lesson_path.next_step(__file__)
