from django.test import RequestFactory

from common.redirects import back_url


def test_it_goes_back_to_a_page_of_this_site():
    request = RequestFactory().get("/", HTTP_REFERER="http://testserver/seams/?q=x")
    assert back_url(request, "/fallback/") == "http://testserver/seams/?q=x"


def test_it_never_follows_a_referer_from_elsewhere():
    request = RequestFactory().get("/", HTTP_REFERER="https://evil.example/")
    assert back_url(request, "/fallback/") == "/fallback/"
    assert back_url(RequestFactory().get("/"), "/fallback/") == "/fallback/"
