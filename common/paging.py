"""What paginated lists share: the pages' links, and the API's page size."""

from django.http import HttpRequest
from rest_framework.pagination import PageNumberPagination


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without `page`: what a page link keeps (filters, sort)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class Pagination(PageNumberPagination):
    """The API's lists (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS): PAGE_SIZE a page unless
    the client asks for up to 500 with `page_size`."""

    page_size_query_param = "page_size"
    max_page_size = 500
