"""Where to send a person back to: the page they came from, when it is one of ours."""

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request: HttpRequest, fallback: str, *args) -> str:
    """The Referer when it is a page of this site (same host, and HTTPS when the request is),
    else `fallback` (a URL name with its `args`, or a path). Never a raw Referer: a link from
    elsewhere, or a forged header, must not turn our redirects into an open redirect."""
    back = request.headers.get("Referer", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return resolve_url(fallback, *args)
