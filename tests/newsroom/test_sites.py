"""The site a request is for: found once, kept until something changes, and looked up only
for requests that can need it."""

from django.http import HttpResponse
from django.test import RequestFactory
from wagtail.models import Site

from masthead.newsroom import sites
from masthead.newsroom.sites import SiteMiddleware


def request_for(path="/en/", host="testserver"):
    return RequestFactory().get(path, HTTP_HOST=host)


def test_the_site_is_found_once_and_then_kept(publication, django_assert_num_queries):
    expected = Site.objects.get(is_default_site=True)
    assert sites.for_request(request_for()) == expected
    with django_assert_num_queries(0):
        assert sites.for_request(request_for()) == expected


def test_a_host_no_site_answers_for_is_kept_as_none(
    publication, django_assert_num_queries, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    Site.objects.update(is_default_site=False)
    assert sites.for_request(request_for(host="elsewhere.example")) is None
    with django_assert_num_queries(0):
        assert sites.for_request(request_for(host="elsewhere.example")) is None


def test_an_edited_site_is_found_at_the_next_request(publication, settings):
    settings.ALLOWED_HOSTS = ["*"]
    site = Site.objects.get(is_default_site=True)
    assert sites.for_request(request_for(host="news.example")) == site  # the default
    other = Site.objects.create(hostname="news.example", root_page=site.root_page)
    assert sites.for_request(request_for(host="news.example")) == other


def test_the_middleware_gives_views_the_site_without_asking_again(publication):
    seen = {}

    def view(request):
        seen["site"] = request._wagtail_site
        return HttpResponse()

    SiteMiddleware(view)(request_for("/en/"))
    assert seen["site"] == Site.objects.get(is_default_site=True)


def test_files_and_webhooks_are_not_looked_up(publication, django_assert_num_queries):
    def view(request):
        assert not hasattr(request, "_wagtail_site")
        return HttpResponse()

    middleware = SiteMiddleware(view)
    for path in ("/media/images/a.jpg", "/static/theme/site.css", "/webhooks/payments/stripe/"):
        with django_assert_num_queries(0):
            assert middleware(request_for(path)).status_code == 200
