"""Learn from our own digits, on the training page: what the lesson's model (trained on MNIST only) makes of them,
and the three ways a run may use them (choices.LEARN): alone; a new model trained on MNIST and checked on ours; the
lesson's model trained further on part of ours and checked on the rest (fine-tuning)."""

import streamlit as st

from mnistcore import choices, image_folders, train, transfer
from mnistcore.data import Dataset
from mnistcore.train import steps_per_epoch
from ui.run import choice_widgets
from ui.show import words
from ui.state import session, settings, shared_data
from ui.state.registry import OWN_DATA

SAID = {
    transfer.ALONE: "A new model learns from the training part of {title} and is checked on the rest: {split} {steps}",
    transfer.CHECK: "A new model learns from MNIST's {n_home:,} training digits, as in the lesson, and never sees ours; "
                    "all {n_ours:,} of ours check it, on MNIST's scale (its TRAIN mean and std). Its curve is how well "
                    "what MNIST taught carries over to our handwriting.",
    transfer.ADD: "The lesson's model, already trained on MNIST, learns further from the training part of ours "
                  "(**fine-tuning**), on MNIST's scale; the rest check it. {split} Before: **{before:.1%}** of them "
                  "read right. The run's last accuracy is the after. {steps}",
}


def few_steps(n_train: int, batch: int) -> str:
    """Advice when an epoch of our images is only a few steps (a class's drawings: a few hundred images)."""
    steps = steps_per_epoch(batch, n_train)
    return (f"At batch {batch}, {n_train:,} images are only {steps} step{'s' if steps > 1 else ''} an epoch: give it "
            "20 epochs or more." if steps < 50 else "")


def offer(ds: Dataset) -> str:
    """For digits of our own: what the lesson's model makes of them, and the choice of how a run uses them (returned)."""
    if not transfer.reads_digits(ds):
        return transfer.ALONE
    whose = "our" if ds.title == OWN_DATA["class"] else "your"
    with st.container(border=True):
        home = session.lesson_model(shared_data.mnist())
        ours = shared_data.for_run(ds, transfer.ADD)  # our validation part on MNIST's scale
        before = train.evaluate(home, ours.x_valid, ours.y_valid)[1]
        st.markdown(f"**Learn from {words.plain(ds.title)}.** The lesson's model, trained on MNIST only, reads "
                    f"**{before:.1%}** of {whose} validation part right. Which images should the next run learn from?")
        chosen = choice_widgets.widget(st, choices.LEARN, **settings.keep(choices.LEARN.key))
        st.caption(SAID[chosen].format(title=words.plain(ds.title), split=image_folders.split_words(ds, whose=whose),
                                       n_home=len(shared_data.mnist().x_train),
                                       n_ours=len(ds.x_train) + len(ds.x_valid), before=before,
                                       steps=few_steps(len(ds.x_train), settings.value(choices.BATCH.key))))
    return chosen
