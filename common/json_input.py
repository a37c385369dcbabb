"""JSON sent to us by clients, read with bounds: the API's parser and the webhooks both use it.

Python's parser follows nesting by recursion (a body of 100,000 `[` is a RecursionError deep
inside the request), takes `NaN` and `Infinity` as numbers, and keeps NUL characters that
PostgreSQL refuses to store in text or JSON. Each is refused here with a message for people,
before any view sees the data.
"""

import json
from typing import Any

# Deeper than any object Seamline takes (a list of handoffs, each with a list of returns).
MAX_DEPTH = 32


class JsonRefused(ValueError):
    """The body is not JSON we take; the message says why, for people."""


def _no_constants(name: str) -> Any:
    raise JsonRefused(f"{name} is not a number JSON allows.")


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed body, or JsonRefused: not JSON, nested deeper than `max_depth`, `NaN` or
    `Infinity`, a NUL character in a string or key, a number too long to read."""
    try:
        value = json.loads(data, parse_constant=_no_constants)
    except RecursionError as exc:
        raise JsonRefused(f"The JSON is nested too deeply (at most {max_depth} levels).") from exc
    except JsonRefused:
        raise
    except UnicodeDecodeError as exc:
        raise JsonRefused("The body is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"The body is not JSON: {exc.msg} (character {exc.pos}).") from exc
    except ValueError as exc:  # an integer longer than Python converts (4,300 digits)
        raise JsonRefused("A number in the JSON is too long.") from exc
    _check(value, max_depth)
    return value


def _check(value: Any, max_depth: int) -> None:
    """Walk without recursion: depth and NUL characters."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise JsonRefused(f"The JSON is nested too deeply (at most {max_depth} levels).")
            if isinstance(item, dict):
                for key, child in item.items():
                    if "\x00" in key:
                        raise JsonRefused("The JSON holds a NUL character, which text can't.")
                    pending.append((child, depth + 1))
            else:
                pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and "\x00" in item:
            raise JsonRefused("The JSON holds a NUL character, which text can't.")
