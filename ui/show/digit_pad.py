"""A pad that asks for one digit at a time, round by round through 0 to 9, and prepares each drawing exactly as the
app prepares a drawn digit (`digits.like_mnist`). Where a drawing goes is its caller's: the class's database under a
student's seat (ui/room/drawing_pad.py), or the learner's own session (ui/sections/own_drawings.py)."""

from collections.abc import Callable

import numpy as np
import streamlit as st

from mnistcore import digits
from mnistcore.errors import DigitError
from ui.show import canvas, words


def next_digit(mine: tuple[int, ...], per_digit: int, skipped: set[int]) -> int | None:
    """The digit to ask for next: round by round through 0-9 (each digit once, then again), skipping what the
    drawer skipped this round; None when every digit has its `per_digit` drawings."""
    for round_ in range(per_digit):
        wanted = [d for d in range(10) if mine[d] <= round_]
        if wanted:
            left = [d for d in wanted if d not in skipped] or wanted  # all skipped: ask again from the first
            return left[0]
    return None


def _send(name: str, keep: Callable[[int, np.ndarray], str | None], digit: int, image: np.ndarray, kept: str) -> None:
    """Keep the drawing (the Send button's callback): `keep` says why not, in words, or None; the canvas empties."""
    why = keep(digit, image)
    st.session_state[f"{name}_said"] = ("warning", why) if why else ("success", kept.format(digit=digit))
    if not why:
        st.session_state.get(f"{name}_skipped", set()).discard(digit)
    canvas.clear(name)


def _skip(name: str, digit: int) -> None:
    """Leave this digit for later (the Skip button's callback)."""
    st.session_state.setdefault(f"{name}_skipped", set()).add(digit)
    canvas.clear(name)


def pad(name: str, mine: tuple[int, ...], per_digit: int, keep: Callable[[int, np.ndarray], str | None], *,
        asked: str, kept: str, finished: str) -> None:
    """The pad `name`: how many of the `per_digit` of each digit are in (`mine`), the digit to draw next, the canvas,
    Send and Skip. `asked` ends the progress line ("your teacher asked for"), `kept` says a drawing is in ({digit}),
    `finished` thanks the drawer."""
    done, wanted = sum(min(n, per_digit) for n in mine), 10 * per_digit
    st.progress(done / wanted, text=f"You have drawn {done} of the {wanted} digits {asked}.")
    kind, said = st.session_state.pop(f"{name}_said", (None, ""))
    if kind:
        getattr(st, kind)(said)
    digit = next_digit(mine, per_digit, st.session_state.get(f"{name}_skipped", set()))
    if digit is None:
        st.success(finished, icon=":material/check_circle:")
        return
    st.markdown(f"### Draw a **{digit}**")
    st.caption("One digit, as large as the square, as you would write it on paper. Clear starts again; Skip leaves "
               "this digit for later.")
    drawn = canvas.drawing(name)
    image, why = None, ""
    if drawn is not None:
        try:
            image = np.round(digits.like_mnist(drawn).digit * 255).astype(np.uint8)  # (28, 28), as the model sees it
        except DigitError as e:
            why = words.plain(e)
    if why:
        st.warning(why)
    row = st.container(horizontal=True)
    row.button(f"Send this {digit}", type="primary", icon=":material/send:", disabled=image is None, on_click=_send,
               args=(name, keep, digit, image, kept), key=f"{name}_send")
    row.button("Skip", icon=":material/skip_next:", on_click=_skip, args=(name, digit), key=f"{name}_skip")
