"""The "Check yourself" block at the end of each page, and the progress line in the sidebar.

Answers are checked in the Check button's callback, before the script reruns, so the sidebar's line (drawn
before the page) already counts them. What the learner got right lives in `st.session_state["quiz"]`,
which no widget owns: it survives page switches, and reloads through the reload memory (registry: quiz).
"""

from dataclasses import dataclass

import streamlit as st

from mnistcore.tutor import questions
from mnistcore.tutor.questions import Facts, Question, Verdict
from ui.show import words
from ui.state import session

TRIES_BEFORE_ANSWER = 2


@dataclass
class Progress:
    """One question's record in this session."""

    tries: int = 0  # answers read and found wrong or right
    right: bool = False
    last: Verdict | None = None  # what the checker said last ...
    dataset: str = ""  # ... about this data set's numbers: after a switch it is not shown (registry: quiz)


def records() -> dict[str, Progress]:
    """This session's record of every question it has answered."""
    return st.session_state.setdefault("quiz", {})


def progress_line() -> None:
    """The sidebar's line: how many of the app's questions this session has answered right."""
    done = sum(r.right for r in records().values())
    st.caption(f"**Self-check:** {done} of {questions.total()} answered right")


def _answer(q: Question):
    """The learner's answer from its widget(s)."""
    if q.kind == "pair":
        return st.session_state.get(f"quiz:{q.key}:true"), st.session_state.get(f"quiz:{q.key}:pred")
    return st.session_state.get(f"quiz:{q.key}")


def _record(q: Question, verdict: Verdict) -> None:
    """Keep what the checker said about an answer."""
    r = records().setdefault(q.key, Progress())
    r.tries += verdict.counted
    r.right = r.right or verdict.right
    r.last, r.dataset = verdict, session.dataset().key


def _check(q: Question, facts: Facts) -> None:
    """The Check button's callback: read the answer and judge it against the page's facts."""
    _record(q, q.check(_answer(q), facts))


def _input(q: Question, classes: tuple[str, ...]) -> None:
    """The widget an answer is given with."""
    key = f"quiz:{q.key}"
    if q.kind == "choice":
        st.radio("Your answer", q.options, index=None, key=key)
    elif q.kind == "pair":
        c = st.columns(2)
        names = dict(enumerate(classes))
        c[0].selectbox("True class", list(names), format_func=names.get, index=None, key=f"{key}:true")
        c[1].selectbox("Taken for", list(names), format_func=names.get, index=None, key=f"{key}:pred")
    else:
        placeholder = {"shape": "for example (3, 4)", "number": "a number", "expression": "a line of PyTorch"}[q.kind]
        st.text_input("Your answer", key=key, placeholder=placeholder, max_chars=200)


def one(q: Question, facts: Facts, number: int, classes: tuple[str, ...]) -> None:
    """One question: its words, the answer box, and what the checker said."""
    with st.container(key=f"question-{q.key}"):  # where the keyboard's focus goes when its Check goes (ui/show/focus.py)
        _one(q, facts, number, classes)


def _one(q: Question, facts: Facts, number: int, classes: tuple[str, ...]) -> None:
    """The question's parts (`one`)."""
    r = records().get(q.key, Progress())
    st.markdown(f"**{number}.** {q.prompt}")
    if q.kind == "task":
        verdict = q.check(None, facts)
        if verdict.right and not r.right:
            _record(q, verdict)
            st.rerun()  # the sidebar's line was drawn before this run knew
        r = records().get(q.key, r)
        if r.right:  # the run that did it, even if a later one did not (on this data set, its own words)
            st.success("Done. " + words.plain(r.last.says if r.dataset == session.dataset().key else verdict.says),
                       icon=":material/check_circle:")
        else:
            st.info(words.plain(verdict.says))
    else:
        if not r.right:
            answer, button = st.columns([4, 1, 3], vertical_alignment="bottom")[:2]
            with answer:
                _input(q, classes)
            button.button("Check", key=f"quiz:{q.key}:check", on_click=_check, args=(q, facts))
        if r.last is not None and r.dataset == session.dataset().key:
            said = words.plain(r.last.says)
            if r.right:
                st.success(f"Right. {said}", icon=":material/check_circle:")
            elif not r.last.counted:
                st.warning(said)
            else:
                st.error(f"Not yet. {said}", icon=":material/cancel:")
    if not r.right and r.tries >= 1:
        st.caption(f"**Hint:** {q.hint}")
    if r.right or r.tries >= TRIES_BEFORE_ANSWER:
        with st.expander("The answer, worked out on this page's data", expanded=not r.right):
            st.code(q.solution(facts), language="python")


def ask(page: str, facts: Facts, classes: tuple[str, ...] = tuple(str(d) for d in range(10))) -> None:
    """The page's "Check yourself" questions, each checked against `facts`, the page's own data."""
    st.header("Check yourself")
    st.caption("Predict first, then check. Every answer is checked by computing it on this page's data; after two "
               "tries you see the answer and the line that computes it.")
    for number, q in enumerate(questions.QUESTIONS[page], 1):
        with st.container(border=True):
            one(q, facts, number, classes)
