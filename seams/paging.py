"""What the paginated list pages share."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without `page`: what a page link keeps (filters, sort)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
