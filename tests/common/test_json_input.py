import pytest

from common.json_input import JsonRefused, parse_json


def test_it_reads_plain_json():
    assert parse_json(b'{"rows": [1, "two", null]}') == {"rows": [1, "two", None]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (b"[" * 33 + b"]" * 33, "nested too deeply"),
        (b"[NaN]", "not a number JSON allows"),
        (b'{"a\\u0000": 1}', "NUL character"),
        (b'["\\u0000"]', "NUL character"),
        (b"\xff", "not UTF-8"),
        (b"{", "not JSON"),
        (b"1" * 5000, "too long"),
    ],
)
def test_it_refuses_what_it_cannot_take_with_a_reason(body, reason):
    with pytest.raises(JsonRefused, match=reason):
        parse_json(body)
