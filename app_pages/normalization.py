"""Normalization: why we rescale pixels, and why validation must use the training numbers."""

import numpy as np
import streamlit as st

from mnistcore import choices, data, figures, normalize
from mnistcore.figures.house import CHANNEL_COLORS
from ui.course import lesson_path, quiz
from ui.show import looks, plots, words
from ui.state import server_work, session, settings, shared_data

ds = session.dataset()


st.title("Normalization")
st.markdown(
    "Pixels arrive as bytes from 0 to 255. Neural networks train far better on numbers around 0 "
    "with a spread of about 1, so we **subtract the mean and divide by the standard deviation**, "
    "computed on the *training* images, and apply those same two numbers to every other set."
)
s = shared_data.statistics(ds)
c = st.columns(4)
c[0].metric("train mean", f"{s['train_mean']:.4f}")
c[1].metric("train std", f"{s['train_std']:.4f}")
c[2].metric("valid mean, after", f"{s['valid_mean']:.4f}", help="valid normalized with the TRAIN mean and std")
c[3].metric("valid std, after", f"{s['valid_std']:.4f}")
lesson = normalize.LESSON  # what the notebook printed
if len(ds.x_train) == data.N_TRAIN and ds.name == "mnist":
    st.info(f"The lesson printed train mean {lesson['train_mean']} and std {lesson['train_std']}. Its file stored each "
            f"byte divided by 256, not 255: on that scale ours are {s['train_mean_pickle']:.4f} and {s['train_std_pickle']:.4f}. "
            f"After normalizing the scale cancels out: the lesson's valid set came out at mean {lesson['valid_mean']}, "
            f"std {lesson['valid_std']}; ours at {s['valid_mean']:.4f}, {s['valid_std']:.4f}.")
else:
    st.info(f"These are the figures of {words.plain(ds.summary())}. On full MNIST the lesson printed train mean "
            f"{lesson['train_mean']} and std {lesson['train_std']} (pixels divided by 256), then valid mean "
            f"{lesson['valid_mean']} and std {lesson['valid_std']}: close to 0 and 1, but not exactly, because the "
            "validation images are different images.")
if ds.name == "folders":  # your own images, or the class's: beside MNIST's, whose numbers the lesson's model learned with
    m = shared_data.statistics(shared_data.mnist())
    looks.table([{"images": "MNIST's training images", "mean": f"{m['train_mean']:.4f}", "std": f"{m['train_std']:.4f}"},
                 {"images": f"{words.plain(ds.title)}, training", "mean": f"{s['train_mean']:.4f}",
                  "std": f"{s['train_std']:.4f}"}])
    st.caption("A model trained on MNIST normalizes whatever it reads with MNIST's two numbers: where yours differ (more "
               "ink, thinner strokes), its inputs are shifted from anything it saw in training.")
train_px, valid_px = ds.x_train[:2000] / 255, ds.x_valid[:2000] / 255  # 2,000 images each: enough for a histogram
left, right = st.columns(2)
plots.show(left, figures.histogram({"train": train_px, "valid": valid_px}, title="Raw pixels, scaled to [0, 1]",
                                    x_title="pixel value"))
plots.show(right, figures.histogram({"train": (train_px - s["train_mean"]) / s["train_std"],
                                      "valid": (valid_px - s["train_mean"]) / s["train_std"]},
                                     title="Normalized with the TRAIN mean and std", x_title="normalized value"))
st.caption("Normalizing only shifts and stretches the values: the shape of each histogram stays, and mostly-black "
           "images keep a tall bar at the low end. The log scale makes the rare bright pixels visible.")
st.markdown(f"Valid normalized with **its own** mean and std would come out at exactly 0 and 1 "
            f"({s['valid_own_mean']:.4f}, {s['valid_own_std']:.4f}); but then a pixel value would mean "
            "something different in each set. The next two sections show why that matters.")

st.header("Why it matters: the same model on three scales")
col1, col2 = st.columns(2)
optimizer = col1.radio("Optimizer", list(normalize.RACE_LR), horizontal=True,
                       format_func=lambda o: f"{choices.OPTIMIZER.name(o)}, lr {normalize.RACE_LR[o]:g}",
                       **settings.keep("opt"))
steps = col2.slider("Steps", 100, 500, step=50, **settings.keep("steps"))
curves = server_work.result(normalize.scale_race, ds, steps, normalize.RACE_LR[optimizer], optimizer, session.seed(),
                         waiting="Training three models for a few hundred steps (once per server)...")
plots.show(st, figures.curves(curves, title="Training loss, batches of 64", y_title="loss (log scale)", log_y=True))
raw_end = curves["raw 0-255"][1][-1]
st.caption(f"On raw bytes the first steps throw the outputs far off and the loss ends at {raw_end:.3g}; "
           f"divided by 255 it ends at {curves['divided by 255'][1][-1]:.3f}, normalized at {curves['normalized'][1][-1]:.3f}.")

st.header("Colour: one mean per channel, and the trap")
st.markdown("For colour images each channel (red, green, blue) gets its own mean and std. Below, a linear model learns "
            "to name the colour of the ink of digits tinted red, green or blue. Then it sees a validation set that is "
            "**all green**.")
d = server_work.result(normalize.colour_demo, ds, session.seed(), waiting="Training the colour model (once per server)...")
left, right = st.columns(2)
wrong = 1 - d["green_by_own"]
plots.show(left, figures.bars(d["valid_by_train"], list(CHANNEL_COLORS), colors=list(CHANNEL_COLORS.values()),
                               y_title="mean after normalizing", x_title="channel",
                               title=f"÷ TRAIN stats: {d['green_by_train']:.0%} named green, as they are"))
plots.show(right, figures.bars(d["valid_by_own"] + 0.0, list(CHANNEL_COLORS), colors=list(CHANNEL_COLORS.values()),
                                y_title="mean after normalizing", x_title="channel",
                                title=f"÷ their OWN stats: {wrong:.0%} named wrongly", y_range=(-1, 1)))
say = st.error if wrong >= 0.05 else st.info
say(f"Every one of these digits is green. Normalized with the train set's mean and std, the model names "
    f"{d['green_by_train']:.0%} of them green. Normalized with their own, it calls **{wrong:.0%} of them red or blue**: "
    "the green set's own mean subtracts exactly the green the model learned to look for, so its inputs no longer "
    "mean what they meant in training. Always normalize new data with the TRAIN statistics.", icon=":material/warning:")

st.header("Keeping numbers at scale through many layers")
st.markdown("The same care applies inside the network: each layer multiplies by a weight matrix, and ten layers "
            "multiply ten times. Here real normalized digits pass through ten Linear + ReLU layers of width 100.")
x = shared_data.prepared(ds, "cpu").x_valid[:512]
INITS = (("randn", "randn: std 1"), ("lesson", "randn / dims[0] (the lesson's get_weights)"),
         ("kaiming", "randn × √(2 / dims[0]) (Kaiming)"))
stds = {name: normalize.activation_stds(x, init, seed=session.seed()) for init, name in INITS}
plots.show(st, figures.curves({k: (list(range(11)), v) for k, v in stds.items()}, x_title="layer",
                               y_title="std of activations (log scale)", log_y=True, title="Exploding, vanishing, steady"))
st.caption("Plain randn multiplies the spread by about √100 per layer (it explodes). The lesson divides by the number of "
           "rows, which is right for its single layer but shrinks the spread about 10-fold per layer when stacked "
           "(it vanishes). Dividing by the square root of the fan-in, ×√2 for ReLU, keeps it steady.")

st.header("Why a random forest does not care")
pixel = 14 * 28 + 14
target = ds.y_train == 1
raw_vals = ds.x_train.reshape(len(ds.x_train), -1)[:, pixel].astype(float)
norm_vals = (raw_vals / 255 - s["train_mean"]) / s["train_std"]
t_raw, left_raw = normalize.best_split(raw_vals, target)
t_norm, left_norm = normalize.best_split(norm_vals, target)
st.markdown("A tree only asks *is this pixel above a threshold?*, and the best threshold depends only on the order of "
            "the values. Normalizing never changes the order, so every split lands on the same images:")
looks.table([{"pixel (14, 14) as": "raw bytes", "best threshold for 'is it a 1?'": f"{t_raw:.3f}",
              "images on the left": int(left_raw.sum())},
             {"pixel (14, 14) as": "normalized", "best threshold for 'is it a 1?'": f"{t_norm:.3f}",
              "images on the left": int(left_norm.sum())}])
st.success(f"Same images on each side: {bool(np.array_equal(left_raw, left_norm))}.")
settings.publish("opt", "steps")
quiz.ask("normalization", {"stats": s}, ds.classes)
lesson_path.next_step(__file__)
