"""A NUL character in any text field of any form or API write: a clear 400, nothing written.

Every write the permission matrix knows a valid body for is sent again, as a leader (who may
do everything), once per text field with a NUL put in that field. Pages meet the middleware
that refuses NUL before any view; the API, its JSON parser. Either way the answer says why and
every counted table stays as it was.
"""

import copy
from collections.abc import Iterator

import pytest

from tests.security.conftest import fingerprint, sample_world, send, url_for
from tests.security.test_permission_matrix import BODIES, HEADERS, ROUTES


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The security tests' sample organisation, built once for this module."""
    with sample_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


pytestmark = pytest.mark.django_db

WRITES = [
    (route, method)
    for route in ROUTES
    for method in ("POST", "PUT", "PATCH")
    if (route.name, method) in BODIES
]


def _text_paths(body, path=()) -> Iterator[tuple]:
    """The path to every text value in a body (form dict or JSON), keys included."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _text_paths(value, (*path, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _text_paths(value, (*path, index))
    elif isinstance(body, str):
        yield path


def _poisoned(body, path):
    body = copy.deepcopy(body)
    holder = body
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = holder[path[-1]] + "\x00"
    return body


def test_it_sends_nul_through_many_writes():
    pages = {route.name for route, _ in WRITES if not route.api}
    api = {route.name for route, _ in WRITES if route.api}
    assert len(pages) > 30
    assert len(api) > 10


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_write_refuses_nul_in_every_text_field(world, htmx):
    baseline = fingerprint()
    problems, tried = [], 0
    for route, method in WRITES:
        if htmx and route.api:
            continue
        body = BODIES[route.name, method](world)
        headers = HEADERS.get((route.name, method), lambda w: {})(world)
        if htmx:
            headers = headers | {"HX-Request": "true"}
        for path in _text_paths(body):
            tried += 1
            sent = send(
                world.clients["leader"],
                method,
                url_for(route, world),
                body=_poisoned(body, path),
                as_json=route.api,
                headers=headers,
                baseline=baseline,
            )
            where = f"{method} {route.name} with NUL in {'.'.join(map(str, path))}"
            status = sent.response.status_code
            if status != 400:
                problems.append(f"{where}: answered {status}")
            elif "NUL" not in sent.response.content.decode():
                problems.append(f"{where}: the answer does not say why")
            if sent.written:
                problems.append(f"{where}: wrote {', '.join(sent.written)}")
    assert tried > (80 if htmx else 100)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("where", ["query", "key"])
def test_nul_in_a_field_name_or_a_page_query_is_refused_too(world, where):
    route, method = next((r, m) for r, m in WRITES if r.name == "decisions:log")
    body = BODIES[route.name, method](world)
    url = url_for(route, world)
    if where == "key":
        body = body | {"extra\x00": "1"}
    else:
        url += "?next=%00"
    sent = send(world.clients["leader"], method, url, body=body, baseline=fingerprint())
    assert sent.response.status_code == 400
    assert not sent.written
