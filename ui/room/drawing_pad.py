"""A student's part of "Collect our digits": the digit pad (ui/show/digit_pad.py), each drawing kept in the class's
database under the student's seat, never their name."""

import numpy as np

from mnistcore.classroom.store import RoomError, Seat, StoreDown
from ui.room import rooms
from ui.show import digit_pad, words

PAD = "pad"  # the canvas's name (ui/show/canvas.py)


def pad(seat: Seat, per_digit: int) -> None:
    """The pad, with the student's drawings so far."""
    try:
        mine = rooms.store().drawing_counts(seat.code).by_member.get(seat.member, (0,) * 10)
    except StoreDown as e:
        rooms.down(e)
        return

    def keep(digit: int, image: np.ndarray) -> str | None:
        """Into the class's database; why not, in words."""
        try:
            rooms.store().add_drawing(seat.code, seat.member, digit, image)
        except RoomError as e:
            return words.plain(e)
        except StoreDown:
            return rooms.DOWN
        return None

    digit_pad.pad(PAD, mine, per_digit, keep, asked="your teacher asked for", kept="Your {digit} is in the class's digits.",
                  finished="Thank you: all your digits are in. Watch the class board: it shows what the lesson's model "
                           "makes of them.")
