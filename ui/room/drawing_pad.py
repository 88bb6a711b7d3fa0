"""A student's part of "Collect our digits": a pad that asks for one digit at a time, prepares each drawing exactly
as the app prepares a drawn digit (`digits.like_mnist`), and keeps it in the class's database under the student's
seat, never their name."""

import numpy as np
import streamlit as st

from mnistcore import digits
from mnistcore.classroom.store import RoomError, Seat, StoreDown
from mnistcore.errors import DigitError
from ui.room import rooms
from ui.show import canvas, words

PAD = "pad"  # the canvas's name (ui/show/canvas.py)


def next_digit(mine: tuple[int, ...], per_digit: int, skipped: set[int]) -> int | None:
    """The digit to ask for next: round by round through 0-9 (each digit once, then again), skipping what the
    student skipped this round; None when every digit has its `per_digit` drawings."""
    for round_ in range(per_digit):
        wanted = [d for d in range(10) if mine[d] <= round_]
        if wanted:
            left = [d for d in wanted if d not in skipped] or wanted  # all skipped: ask again from the first
            return left[0]
    return None


def _send(seat: Seat, digit: int, image: np.ndarray) -> None:
    """Keep the drawing (the Send button's callback): the canvas empties for the next digit."""
    try:
        rooms.store().add_drawing(seat.code, seat.member, digit, image)
        st.session_state["pad_said"] = ("success", f"Your {digit} is in the class's digits.")
        st.session_state.get("pad_skipped", set()).discard(digit)
    except RoomError as e:
        st.session_state["pad_said"] = ("warning", words.plain(e))
    except StoreDown:
        st.session_state["pad_said"] = ("warning", rooms.DOWN)
    canvas.clear(PAD)


def _skip(digit: int) -> None:
    """Leave this digit for later (the Skip button's callback)."""
    st.session_state.setdefault("pad_skipped", set()).add(digit)
    canvas.clear(PAD)


def pad(seat: Seat, per_digit: int) -> None:
    """The pad: how many of the student's digits are in, the digit to draw next, the canvas, Send and Skip."""
    try:
        mine = rooms.store().drawing_counts(seat.code).by_member.get(seat.member, (0,) * 10)
    except StoreDown as e:
        rooms.down(e)
        return
    done, wanted = sum(min(n, per_digit) for n in mine), 10 * per_digit
    st.progress(done / wanted, text=f"You have drawn {done} of the {wanted} digits your teacher asked for.")
    kind, said = st.session_state.pop("pad_said", (None, ""))
    if kind:
        getattr(st, kind)(said)
    digit = next_digit(mine, per_digit, st.session_state.get("pad_skipped", set()))
    if digit is None:
        st.success("Thank you: all your digits are in. Watch the class board: it shows what the lesson's model makes "
                   "of them.", icon=":material/check_circle:")
        return
    st.markdown(f"### Draw a **{digit}**")
    st.caption("One digit, as large as the square, as you would write it on paper. Clear starts again; Skip leaves "
               "this digit for later.")
    drawn = canvas.drawing(PAD)
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
               args=(seat, digit, image), key="pad_send")
    row.button("Skip", icon=":material/skip_next:", on_click=_skip, args=(digit,), key="pad_skip")
