"""How it learns: derivatives move a line, one SGD step of the lesson's model, ReLU pieces, and the speed claims."""

import inspect

import numpy as np
import streamlit as st

from mnistcore import figures, learning
from mnistcore.tutor import notebook
from ui.course import lesson_path, quiz
from ui.sections import line_descent, speed_claims
from ui.show import fragments, plots
from ui.state import server_work, session, settings, shared_data

ds = session.dataset()
st.title("How it learns")
st.markdown("A model learns by asking, for every number it holds: *if I nudge this up a little, does the loss go up "
            "or down, and how fast?* That rate is the **derivative**. Step each number a little against its "
            "derivative, and the loss falls. Here it is on a line first, then on the lesson's model.")

# ---------------------------------------------------------------- 1. a line
st.header("1. Two numbers, a and b, find a line")
x, y = learning.line_points(seed=session.seed())
line_descent.show(x, y)

# ---------------------------------------------------------------- 2. one step of the lesson's model
st.header("2. One step of the lesson's model, in slow motion")
st.markdown("The same idea with 7,850 numbers: the lesson's `nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax())`. "
            "Each **Next step** shows it one batch of 64 real digits, computes the loss, and moves every weight against "
            "its gradient (plain SGD, so the move is exactly minus the learning rate times the gradient).")
sgd_lr = st.select_slider("Learning rate for these steps", learning.SGD_LRS, **settings.keep("slr"))
data = shared_data.prepared(ds, "cpu")
if st.session_state.get("sgd_for") != (ds.key, session.seed()):  # a new data set or seed starts a fresh model
    st.session_state.update(sgd_for=(ds.key, session.seed()), sgd_state=learning.fresh_state(session.seed()), sgd_steps=0,
                            sgd_last=None)


def next_step() -> None:
    """One SGD step on the next batch of 64."""
    batch = learning.nth_batch(data.x_train, data.y_train, st.session_state["sgd_steps"], session.seed())
    result = learning.sgd_step(st.session_state["sgd_state"], *batch, sgd_lr)
    st.session_state.update(sgd_state=result["state"], sgd_steps=st.session_state["sgd_steps"] + 1, sgd_last=result)


c = st.columns([1, 1, 4])
c[0].button("Next step", icon=":material/skip_next:", on_click=next_step, type="primary")
c[1].button("Start over", icon=":material/restart_alt:", on_click=lambda: st.session_state.update(
    sgd_state=learning.fresh_state(session.seed()), sgd_steps=0, sgd_last=None))
last, titles = st.session_state["sgd_last"], [ds.classes[i] for i in range(10)]
if last is None:
    st.info("Press **Next step**. After about twenty, the weights below begin to look like the templates of the training page.")
else:
    m = st.columns(3)
    m[0].metric(f"loss on batch {st.session_state['sgd_steps']}, before the step", f"{last['loss_before']:.4f}")
    m[1].metric("the same batch, after the step", f"{last['loss_after']:.4f}",
                delta=f"{last['loss_after'] - last['loss_before']:+.4f}",
                delta_color="inverse")
    m[2].metric("optimizer step vs by-hand update", f"differ by {last['difference']:.0e}" if last["difference"] else "identical",
                help="The largest difference between any weight after optimizer.step() and after w -= lr * w.grad: "
                     "float rounding at most.")
    left, right = st.columns(2)
    plots.show(left, figures.weight_grid(-last["grad"], titles), key="grad")  # the step's way: blue = more "for"
    left.caption("**Where the step pushes** each class's 784 weights on this batch: minus the gradient of the loss. "
                 "Blue pixels gain weight *for* that class, red ones lose it, in the same colours as the weights beside it.")
    plots.show(right, figures.weight_grid(st.session_state["sgd_state"]["0.weight"].numpy(), titles), key="weights")
    right.caption(f"**The weights after {st.session_state['sgd_steps']} steps** (blue counts for the class, red against). "
                  f"This step changed them by at most {np.abs(last['update']).max():.4f}.")
# made on click, in another thread: everything it needs is read here, from this session, first
steps_done, seed = max(st.session_state["sgd_steps"], 1), session.seed()
st.download_button("Continue in a notebook", lambda: notebook.sgd_notebook(ds, seed, sgd_lr, steps_done),
                   "mnist-sgd-steps.ipynb", mime="application/x-ipynb+json", icon=":material/terminal:",
                   help="A Jupyter notebook in plain PyTorch that makes these same steps from the same fresh model and batches, "
                        "and prints each batch's loss before and after, as above.")
with st.expander("The code that made this step (it runs both ways and compares)"):
    st.code(inspect.getsource(learning.sgd_step), language="python")

# ---------------------------------------------------------------- 3. universal approximation
st.header("3. Matrix product, max(0, x), matrix product: enough for any curve")
st.markdown("A neural net is a matrix product, then `max(0, x)` (ReLU: negatives become 0), then another matrix product. "
            "With one input and one output, each hidden unit adds one bent line (a hinge) to the total. Enough hinges, "
            "each bent in the right place and scaled by its output weight, can follow any curve: that is the *universal "
            "approximation theorem*, seen here with `Linear(1, n) → ReLU → Linear(n, 1)`, trained with Adam for 1,500 steps.")


@fragments.fragment()
def universal() -> None:
    """The target, the slider and the two charts: a move of the slider reruns only this, not the whole page."""
    c = st.columns(2)
    target = c[0].radio("Target curve", list(learning.TARGETS), horizontal=True, **settings.keep("curve"))
    n = c[1].slider("Hidden units n", 1, learning.UNITS[-1], **settings.keep("units"))
    # all 50 at once: a slider move waits for none
    fit = server_work.result(learning.relu_fits, None, target, learning.UNITS, learning.RELU_STEPS, session.seed(),
                          waiting="Fitting 50 networks, from 1 to 50 ReLU units (once per server)...")[n]
    tried = st.session_state.setdefault("relu_tried", {})
    tried[(target, n)] = fit["error"]
    plots.show(st, figures.relu_pieces(fit["x"], fit["target"], fit["fit"], fit["pieces"], fit["bias"],
                                        title=f"{n} ReLU piece{'s' if n > 1 else ''}: mean squared error {fit['error']:.4f}"))
    errors = {t: sorted((k, e) for (tt, k), e in tried.items() if tt == t) for t in learning.TARGETS}
    plots.show(st, figures.curves({t: ([k for k, _ in v], [e for _, e in v]) for t, v in errors.items() if v},
                                   x_title="hidden units n",
                                   y_title="mean squared error (log scale)", log_y=True, markers=True,
                                   title="The error for each n you tried"))
    settings.publish("curve", "units")


universal()


# ---------------------------------------------------------------- 4. the claims
st.header("4. The lesson's two speed claims, measured on this machine")
st.markdown("The lesson says scikit-learn's logistic regression reaches a similar accuracy but our PyTorch version runs "
            "much faster, and that `.cuda()` is the difference between slow and fast. Measured here, not quoted: each "
            "timing is repeated, and the sentences below are read from the medians and their spread.")
speed_claims.show(ds)
settings.publish("glr", "slr", "curve", "units")
quiz.ask("learning", {"x": x, "y": y}, ds.classes)
lesson_path.next_step(__file__)
