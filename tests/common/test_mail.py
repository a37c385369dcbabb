"""Email headers made from what people typed: one line, whatever they typed."""

import pytest

from common.mail import header_text

INJECTED = "x\r\nBcc: evil@example.com"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (INJECTED, "x Bcc: evil@example.com"),
        ("a\rb\nc\r\n\r\nd", "a b c d"),
        ("tab\there\x00nul\x1besc\x7fdel", "tab here nul esc del"),
        ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
        ("  spaced    out  ", "spaced out"),
        ("Ünïcødé stays ✓", "Ünïcødé stays ✓"),
    ],
)
def test_header_text_is_one_clean_line(text, expected):
    assert header_text(text) == expected


def test_header_text_is_capped_with_an_ellipsis():
    capped = header_text("word " * 100, max_length=50)
    assert len(capped) == 50
    assert capped.endswith("…")
