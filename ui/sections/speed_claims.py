"""The last part of the learning page: the lesson's two speed claims, timed on this server in a worker."""

import streamlit as st

from mnistcore import claims, devices
from mnistcore.data import Dataset
from ui.show import fragments, words
from ui.state import server_work


def trial_words(trial: claims.Trial) -> str:
    """What a trial measures, for the progress bar."""
    if trial.what == "sklearn":
        return f"scikit-learn's fit, run {trial.repeat + 1} of {claims.REPEATS['sklearn']} (each takes a while)"
    return (f"one epoch on the {devices.describe(trial.kind)} at {trial.batch:,} images a step, "
            f"run {trial.repeat + 1} of {claims.REPEATS['epoch']}")


def show(ds: Dataset) -> None:
    """A button; once pressed, a progress bar while the trials run one by one, then the tables and what they say."""
    kinds = [k for k in devices.available() if k != "mps"]
    plan = claims.trials(kinds)
    measuring = bool(st.session_state.get("claims_asked")) and len(server_work.in_order(claims.measure, ds, plan)) < len(plan)

    @fragments.fragment(run_every=1.0 if measuring else None)
    def the_claims() -> None:
        """The button, then a progress bar while the trials run one by one in a worker, then the tables and the words."""
        if not st.session_state.get("claims_asked"):
            st.button("Measure on this machine", icon=":material/speed:", on_click=st.session_state.update,
                      kwargs={"claims_asked": True})
            return
        done = server_work.in_order(claims.measure, ds, plan)
        if len(done) < len(plan):
            if not measuring:
                st.rerun()  # just asked: a full run starts the ticking
            st.progress(len(done) / len(plan), text=f"Measuring {len(done) + 1} of {len(plan)}: {trial_words(plan[len(done)])}. "
                        "The rest of the page works meanwhile.")
            return
        if measuring:
            st.rerun()  # all measured: stop ticking
        t = claims.collect(done)
        n = len(ds.y_train)
        ours = t["epoch", "cpu", 64]
        st.table([{"model": what, "seconds (median)": f"{x.median:.2f}", "fastest to slowest": f"{x.low:.2f}-{x.high:.2f}",
                   "runs": x.repeats, "valid accuracy": f"{x.accuracy:.2%}"}
                  for what, x in [("scikit-learn LogisticRegression (lbfgs, 100 iterations)", t["sklearn", "cpu", 64]),
                                  ("ours: the lesson's nn.Sequential, one epoch of Adam at 64", ours)]])
        st.table([{"device": devices.describe(kind), "images a step": f"{batch:,}",
                   "seconds for one epoch (median)": f"{x.median:.2f}",
                   "fastest to slowest": f"{x.low:.2f}-{x.high:.2f}", "images per second": f"{n / x.median:,.0f}",
                   "valid accuracy": f"{x.accuracy:.2%}"}
                  for kind in kinds for batch in claims.BATCHES for x in [t["epoch", kind, batch]]])
        for sentence in claims.what_they_say(t, gpu="cuda" if "cuda" in kinds else None):
            st.markdown(sentence)
        if "cuda" not in kinds:
            st.caption(f"No CUDA GPU on this machine, so only the CPU is shown ({devices.describe('cpu')}). On a GPU server the "
                       "table gets the GPU's rows too.")
        st.caption(f"All on {words.plain(ds.summary())}; measured once per server, one run at a time, and shared by every page.")

    the_claims()
