"""When two display names look the same on a projector: "Alice", "alice", "Аlice" (a Cyrillic А), "ＡＬＩＣＥ", "AIice".

A name is compared by its `skeletons`: Unicode's compatibility form (NFKC folds full-width letters, ligatures and
mathematical letters: "ＡＬＩＣＥ" -> "ALICE", "ﬁ" -> "fi"), each look-alike letter of another script replaced by the
Latin one it looks like, and case folding ("ß" -> "ss"), in both orders: look-alikes differ by case (Greek Ν looks
like N, its small ν like v; capital I like a small l), so folding first would lose some, and folding last others.
Two names clash when they share a skeleton.

The look-alikes are the table below: the Cyrillic and Greek letters that Unicode's confusables data (UTS #39) maps to
a Latin letter, and the Latin pairs it maps together that a projector's sans-serif shows alike (l, I and 1; O and 0;
rn and m). That is the data's common part, not all of it: its 6,000-odd lines also cover Armenian, Cherokee,
symbols and more, which a class's names rarely meet. The one maintained package that ships the data
(confusable-homoglyphs) gives groups of look-alikes, not the mapping the skeleton needs, in 900 KB; it was not
worth a dependency for the rest.
"""

import unicodedata

# What each look-alike becomes; upper and lower case apart, since Greek Ν (N) and ν (v) fold to one letter.
LOOKALIKES = str.maketrans({
    # Cyrillic capitals and small letters that look Latin
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "У": "Y", "Ѕ": "S", "І": "l", "Ј": "J", "Ԝ": "W", "Ӏ": "l", "Ү": "Y",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ɡ": "g",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "l", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    "α": "a", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "γ": "y", "ϲ": "c", "ϳ": "j",
    # Latin letters and digits that look alike in a projector's sans-serif
    "I": "l", "1": "l", "|": "l", "0": "O", "ı": "i",
})
TOGETHER = (("rn", "m"), ("vv", "w"))  # two letters that read as one


def _fold(text: str) -> str:
    """Unicode's compatibility form, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def skeletons(name: str) -> set[str]:
    """What `name` looks like, as one or two strings: two names that share one are one name on a board."""
    text = unicodedata.normalize("NFKC", str(name))
    out = set()
    for form in (_fold(text.translate(LOOKALIKES)), _fold(text).translate(LOOKALIKES)):
        for pair, one in TOGETHER:
            form = form.replace(pair, one)
        out.add(unicodedata.normalize("NFKC", form))
    return out


def look_alike(a: str, b: str) -> bool:
    """True when names `a` and `b` would look the same on the board (case, script and width aside)."""
    return not skeletons(a).isdisjoint(skeletons(b))
