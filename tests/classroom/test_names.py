"""Names that look alike on a projector are one name: case, width, script and the classic Latin look-alikes."""

import unicodedata

import pytest

from mnistcore.classroom.names import LOOKALIKES, look_alike, skeletons


@pytest.mark.parametrize("a, b", [("Alice", "alice"), ("Alice", "\u0410lice"), ("Alice", "\uff21\uff2c\uff29\uff23\uff25"),
                                  ("Alice", "AIice"), ("Ian", "ian"), ("Ian", "lan"), ("\u039dia", "Nia"),
                                  ("\u0399an", "ian"), ("Marie", "Rnarie"), ("Otto", "0tto"), ("Strauß", "STRAUSS"),
                                  ("\U0001d400da", "Ada")])  # mathematical bold A
def test_look_alikes_clash(a, b):
    assert look_alike(a, b) and look_alike(b, a)


@pytest.mark.parametrize("a, b", [("ian", "lan"), ("Chloé", "Chloe"), ("Bob", "Ben"), ("Ana", "Anna"), ("Eve", "Eva")])
def test_different_names_do_not(a, b):
    assert not look_alike(a, b)


def test_every_look_alike_crosses_to_latin_and_a_skeleton_is_stable():
    for code, latin in LOOKALIKES.items():
        assert latin.isascii() and (not chr(code).isascii() or chr(code) in "I1|0"), chr(code)
        assert unicodedata.name(chr(code))  # a real character, named by Unicode
    for name in ["Alice", "\u0410lice", "rnrn", "ΝΙΚΟΣ"]:
        assert all(skeletons(s) == {s} for s in skeletons(name))  # a skeleton is its own skeleton
