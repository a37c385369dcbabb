"""Email headers built from what people typed.

A title or a name may hold a line break ("x\r\nBcc: …"): in a subject that is header
injection, and Django refuses the whole message (BadHeaderError), so one handoff's title would
stop every email of a run. Every header made from user text goes through `header_text`.
"""

import unicodedata

MAX_HEADER = 200


def header_text(text: str, *, max_length: int = MAX_HEADER) -> str:
    """`text` on one line: control characters (CR, LF, tabs, NUL…) and Unicode line and
    paragraph separators become spaces, runs of whitespace one space, and it is cut to
    `max_length` characters with an ellipsis."""
    spaced = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char for char in str(text)
    )
    line = " ".join(spaced.split())
    if len(line) > max_length:
        line = line[: max_length - 1].rstrip() + "…"
    return line
