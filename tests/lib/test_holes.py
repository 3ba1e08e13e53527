"""Page-cache holes: a cached page shows a fragment at most N seconds old, filled on every
response, without the page being rendered again (lib/holes.py)."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.translation import get_language
from freezegun import freeze_time

from masthead.lib import holes, pagecache
from masthead.lib.pagecache import PageCacheMiddleware

PAGE = b"<!DOCTYPE html><p>Story</p><!--masthead-hole:test-counter--><p>End</p>"


class Counter:
    """A hole whose fragment is a number the test moves, counting its renders."""

    def __init__(self) -> None:
        self.value = 1
        self.renders = 0

    def __call__(self, request) -> str:
        self.renders += 1
        return f"<b>{self.value} {get_language()}</b>"


class Site:
    """The page cache (inside Django's conditional GET, as in settings) around a view that
    counts its renders."""

    def __init__(self, body: bytes = PAGE, content_type: str = "text/html; charset=utf-8"):
        self.renders = 0
        self.body = body
        self.content_type = content_type
        self.app = ConditionalGetMiddleware(PageCacheMiddleware(self.view))

    def view(self, request):
        self.renders += 1
        response = HttpResponse(self.body, content_type=self.content_type)
        response["Content-Length"] = str(len(self.body))
        if request.path.startswith("/es/"):
            response["Content-Language"] = "es"
        return response

    def get(self, path="/en/page/", **extra):
        return self.app(RequestFactory().get(path, **extra))


@pytest.fixture
def counter(db):
    hole = Counter()
    holes.register("test-counter", hole, seconds=60)
    yield hole
    holes.unregister("test-counter")


def stored_page(path: str = "/en/page/") -> bytes:
    key = pagecache.page_key(RequestFactory().get(path))
    content, _headers, _tags, _clock = caches["pages"].get(key)
    return content


class TestFilling:
    def test_a_cached_page_shows_the_new_fragment_without_a_render(self, counter):
        site = Site()
        first = site.get()
        assert first["X-Cache"] == "MISS"
        assert b"<b>1 en</b>" in first.content
        counter.value = 2
        holes.clear("test-counter")
        second = site.get()
        assert second["X-Cache"] == "HIT"
        assert b"<b>2 en</b>" in second.content
        assert site.renders == 1

    def test_the_stored_page_keeps_its_markers(self, counter):
        Site().get()
        stored = stored_page()
        assert b"<!--masthead-hole:test-counter-->" in stored
        assert b"<b>1 en</b>" not in stored

    def test_the_fragment_is_kept_for_the_holes_seconds(self, counter):
        site = Site()
        with freeze_time("2026-03-01 12:00:00") as clock:
            site.get()
            counter.value = 2
            clock.tick(dt.timedelta(seconds=59))
            assert b"<b>1 en</b>" in site.get().content
            clock.tick(dt.timedelta(seconds=2))
            late = site.get()
        assert late["X-Cache"] == "HIT"
        assert b"<b>2 en</b>" in late.content
        assert counter.renders == 2

    def test_seconds_may_be_read_from_a_setting_each_time(self, db, settings):
        counter = Counter()
        holes.register("test-counter", counter, seconds=lambda: settings.TEST_HOLE_SECONDS)
        try:
            settings.TEST_HOLE_SECONDS = 300
            site = Site()
            with freeze_time("2026-03-01 12:00:00") as clock:
                site.get()
                counter.value = 2
                clock.tick(dt.timedelta(seconds=120))
                assert b"<b>1 en</b>" in site.get().content
                clock.tick(dt.timedelta(seconds=181))
                assert b"<b>2 en</b>" in site.get().content
        finally:
            holes.unregister("test-counter")

    def test_zero_seconds_renders_the_fragment_for_every_response(self, db):
        counter = Counter()
        holes.register("test-counter", counter, seconds=0)
        try:
            site = Site()
            site.get()
            counter.value = 2
            assert b"<b>2 en</b>" in site.get().content
        finally:
            holes.unregister("test-counter")

    def test_each_language_has_its_own_fragment_even_on_a_hit(self, counter):
        site = Site()
        assert b"<b>1 en</b>" in site.get("/en/page/").content
        site.get("/es/pagina/")
        hit = site.get("/es/pagina/")
        assert hit["X-Cache"] == "HIT"
        assert b"<b>1 es</b>" in hit.content

    def test_a_hole_used_twice_on_a_page_renders_once(self, counter):
        body = PAGE + b"<!--masthead-hole:test-counter-->"
        response = Site(body=body).get()
        assert response.content.count(b"<b>1 en</b>") == 2
        assert counter.renders == 1

    def test_an_unregistered_hole_renders_as_nothing(self, db):
        response = Site().get()
        assert response.content == b"<!DOCTYPE html><p>Story</p><p>End</p>"
        assert response["Content-Length"] == str(len(response.content))

    def test_a_failing_hole_leaves_the_page_served_and_is_tried_again(self, db):
        calls = []

        def broken(request):
            calls.append(1)
            raise RuntimeError("database away")

        holes.register("test-counter", broken, seconds=60)
        try:
            site = Site()
            first, second = site.get(), site.get()
        finally:
            holes.unregister("test-counter")
        assert first.status_code == second.status_code == 200
        assert b"<p>Story</p><p>End</p>" in second.content
        assert len(calls) == 2  # a failure is not kept

    def test_a_publish_refreshes_the_fragments(self, counter):
        site = Site()
        site.get()
        counter.value = 2
        pagecache.invalidate_all()
        assert b"<b>2 en</b>" in site.get().content


class TestHeaders:
    def test_etag_is_of_the_filled_body_so_a_304_never_keeps_an_old_fragment(self, counter):
        site = Site()
        first = site.get()
        assert first["ETag"] == holes.etag(first.content)
        assert site.get(HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        counter.value = 2
        holes.clear("test-counter")
        fresh = site.get(HTTP_IF_NONE_MATCH=first["ETag"])
        assert fresh.status_code == 200
        assert fresh["X-Cache"] == "HIT"
        assert b"<b>2 en</b>" in fresh.content
        assert fresh["ETag"] == holes.etag(fresh.content) != first["ETag"]

    def test_content_length_describes_the_filled_body(self, counter):
        response = Site().get()
        assert response["Content-Length"] == str(len(response.content))


class TestWhichResponses:
    def test_a_signed_in_readers_page_bypasses_the_cache_but_is_filled(self, counter):
        site = Site()
        response = site.get(HTTP_COOKIE="sessionid=abc")
        assert "X-Cache" not in response
        assert b"<b>1 en</b>" in response.content
        assert b"masthead-hole" not in response.content

    def test_a_page_not_stored_is_filled(self, counter):
        site = Site()
        response = site.get("/en/search/?q=salt")
        assert "X-Cache" not in response
        assert b"<b>1 en</b>" in response.content

    def test_the_admin_is_left_alone(self, counter):
        response = Site().get("/admin/pages/")
        assert b"<!--masthead-hole:test-counter-->" in response.content
        assert counter.renders == 0

    def test_other_content_types_are_left_alone(self, counter):
        response = Site(content_type="application/rss+xml").get("/en/feeds/rss/")
        assert b"<!--masthead-hole:test-counter-->" in response.content
        assert counter.renders == 0


class TestDeclaring:
    def test_the_template_tag_writes_the_marker(self):
        html = Template('{% load masthead %}<p>{% hole "campaign-banner" %}</p>').render(Context())
        assert html == "<p><!--masthead-hole:campaign-banner--></p>"

    @pytest.mark.parametrize("name", ["", "Banner", "a b", "x-->", "a" * 65])
    def test_bad_names_are_refused(self, name):
        with pytest.raises(ValueError, match="hole name"):
            holes.register(name, lambda request: "", seconds=1)
        with pytest.raises(ValueError, match="hole name"):
            holes.marker(name)

    def test_negative_seconds_are_refused(self):
        with pytest.raises(ValueError, match="0 seconds or more"):
            holes.register("test-counter", lambda request: "", seconds=-1)
