"""Our own digits: the class's handwriting, or anyone's images in folders, as a data set every page uses."""

import streamlit as st

from mnistcore.classroom.store import StoreDown
from ui.course import lesson_path
from ui.room import class_digits, drawing_pad, rooms
from ui.sections import own_drawings, own_images

st.title("Our own digits")
st.markdown("The lesson opens with a warning: a model can only return what it saw. MNIST's digits were written by "
            "American census workers and students, on paper, scanned. **Your** handwriting, drawn with a mouse or a "
            "finger, is a world the model never met; and a model is only as good as the data that checks it comes "
            "from the world it will meet. Here a class draws its own digits, and anyone can bring images in folders: "
            "each becomes a data set that every page of the lesson uses.")

st.header("Our class's digits")
seat, room = rooms.seat(), None
if seat is not None:
    try:
        room = rooms.store().room(seat.code)
    except StoreDown as e:
        rooms.down(e)
if room is not None and room.collect:
    st.markdown(f"Your teacher asks everyone for **{room.collect} of each digit**. They go into the class's digits "
                "under your seat, never your name, and are deleted when the room ends.")
    drawing_pad.pad(seat, room.collect)
elif seat is not None:
    st.info("Your teacher is not collecting digits in this room just now. When they press **Collect our digits**, "
            "the pad to draw them is here.", icon=":material/draw:")
else:
    st.info("In a class room, the teacher can ask every student to draw digits: together they become **Our class's "
            "digits**, a data set in everyone's sidebar. Join your class's room to take part.", icon=":material/groups:")
if class_digits.dataset() is not None:
    st.caption("**Our class's digits** is a choice of the sidebar's **Data set** now.")

st.header("Your own digits")
if room is not None and room.collect:  # one pad on the page: the class's
    st.caption("Your class is collecting digits just now: draw them above, for everyone. Digits for you alone can "
               "wait until the class has its own.")
else:
    st.markdown("Draw them here, one at a time, with a mouse, a pen or a finger: each is prepared as MNIST's digits "
                "were, and they stay in this tab (a reload keeps them). Or bring images of anything, in folders (below).")
    own_drawings.section()
st.header("Your images, in folders")
own_images.upload()
lesson_path.next_step(__file__)
