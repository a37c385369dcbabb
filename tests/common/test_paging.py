from django.test import RequestFactory

from common.paging import query_without_page


def test_a_page_link_keeps_the_filters_but_not_the_page():
    request = RequestFactory().get("/", {"q": "intake", "page": "3", "sort": "-due"})
    assert query_without_page(request) == "q=intake&sort=-due"
