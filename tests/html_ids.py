"""No element id may repeat on a page: a helper that reads a page's HTML and says which do."""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] += 1

    handle_startendtag = handle_starttag


def repeated_ids(html: str) -> dict[str, int]:
    """Each id used more than once in `html`, with how many times."""
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return {value: n for value, n in parser.ids.items() if n > 1}


def assert_unique_ids(html: str, where: str = "the page") -> None:
    repeated = repeated_ids(html)
    assert not repeated, f"ids repeated on {where}: {repeated}"
