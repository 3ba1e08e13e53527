"""Compressed responses (issue 14 §2): Brotli or gzip as the reader's browser accepts, the
same bytes once decompressed, never a page that holds a secret, and a page-cache hit
served from the kept compressed copy (lib/compression.py)."""

import gzip

import brotli
import pytest
from django.core.cache import caches
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.middleware.http import ConditionalGetMiddleware
from django.test import RequestFactory
from django.utils.cache import patch_cache_control

from masthead.lib import compression, holes, pagecache
from masthead.lib.compression import CompressionMiddleware
from masthead.lib.pagecache import PageCacheMiddleware
from tests.audience.accounts import reader, signed_in

BROWSER = "gzip, deflate, br, zstd"  # what Chromium and Firefox send
LONG = "<p>" + "A paragraph of the story, long enough to be worth compressing. " * 20 + "</p>"


def get(client, url, accept="", **headers):
    if accept:
        headers["HTTP_ACCEPT_ENCODING"] = accept
    return client.get(url, **headers)


def decoded(response) -> bytes:
    coding = response.get("Content-Encoding")
    if coding == "br":
        return brotli.decompress(response.content)
    if coding == "gzip":
        return gzip.decompress(response.content)
    assert coding is None, coding
    return response.content


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


class CountedCompress:
    """compression.compress as it is, counting the bodies it compresses."""

    def __init__(self, monkeypatch) -> None:
        self.calls = 0
        self.real = compression.compress
        monkeypatch.setattr(compression, "compress", self)

    def __call__(self, content, coding, **options):
        self.calls += 1
        return self.real(content, coding, **options)


class TestNegotiation:
    @pytest.mark.parametrize(
        ("header", "coding"),
        [
            (BROWSER, "br"),
            ("br", "br"),
            ("gzip, deflate", "gzip"),
            ("x-gzip", "gzip"),
            ("", None),
            ("identity", None),
            ("deflate", None),
            ("br;q=0", None),
            ("br;q=0, gzip", "gzip"),
            ("gzip;q=0, br;q=0", None),
            ("gzip;q=1.0, br;q=0.5", "gzip"),
            ("gzip;q=0.8, br;q=0.8", "br"),
            ("*", "br"),
            ("*;q=0.5, br;q=0", "gzip"),
            ("BR ; Q=1", "br"),
            ("br;q=nonsense, gzip", "gzip"),
        ],
    )
    def test_the_best_accepted_coding_is_chosen(self, header, coding):
        assert compression.negotiate(header) == coding


class TestReaderPages:
    def test_brotli_when_the_browser_accepts_it(self, client, publication):
        identity = get(client, publication.flagship.url)
        response = get(client, publication.flagship.url, BROWSER)
        assert response["Content-Encoding"] == "br"
        assert "accept-encoding" in vary(response)
        assert int(response["Content-Length"]) == len(response.content)
        assert len(response.content) < len(identity.content) / 3
        assert decoded(response) == identity.content

    def test_gzip_when_only_gzip_is_accepted(self, client, publication):
        identity = get(client, publication.flagship.url)
        response = get(client, publication.flagship.url, "gzip, deflate")
        assert response["Content-Encoding"] == "gzip"
        assert "accept-encoding" in vary(response)
        assert decoded(response) == identity.content

    @pytest.mark.parametrize("accept", ["", "identity", "br;q=0", "deflate"])
    def test_uncompressed_when_neither_is_accepted_and_still_varies(
        self, client, publication, accept
    ):
        response = get(client, publication.flagship.url, accept)
        assert "Content-Encoding" not in response
        assert "accept-encoding" in vary(response)
        assert response.content.startswith(b"<!DOCTYPE html>")

    @pytest.mark.parametrize(
        ("url", "content_type"),
        [
            ("/en/feeds/rss/", "application/rss+xml"),
            ("/en/feeds/atom/", "application/atom+xml"),
            ("/api/v2/pages/?locale=en", "application/json"),
        ],
    )
    def test_feeds_and_json_are_compressed(self, client, publication, url, content_type):
        identity = get(client, url)
        assert identity.status_code == 200
        for accept, coding in ((BROWSER, "br"), ("gzip", "gzip")):
            response = get(client, url, accept)
            assert response["Content-Type"].startswith(content_type)
            assert response["Content-Encoding"] == coding
            assert decoded(response) == identity.content

    def test_a_head_request_gets_the_headers_of_the_compressed_get(self, client, publication):
        full = get(client, publication.flagship.url, BROWSER)
        head = client.head(publication.flagship.url, HTTP_ACCEPT_ENCODING=BROWSER)
        assert head.status_code == 200
        assert head.content == b""
        assert head["Content-Encoding"] == "br"
        assert head["Content-Length"] == full["Content-Length"]
        assert head["ETag"] == full["ETag"]


class TestConditionalGet:
    def test_each_variant_has_its_own_etag_and_each_gets_its_304(self, client, publication):
        url = publication.flagship.url
        tags = {accept: get(client, url, accept)["ETag"] for accept in ("", "gzip", BROWSER)}
        assert tags[BROWSER].endswith('-br"') and tags["gzip"].endswith('-gzip"')
        assert len(set(tags.values())) == 3
        for accept, etag in tags.items():
            response = get(client, url, accept, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 304, accept
            assert response["ETag"] == etag

    def test_the_identity_etag_does_not_validate_the_compressed_body(self, client, publication):
        url = publication.flagship.url
        identity_etag = get(client, url)["ETag"]
        response = get(client, url, BROWSER, HTTP_IF_NONE_MATCH=identity_etag)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "br"

    def test_a_page_the_cache_does_not_keep_gets_a_variant_etag_too(self, client, publication):
        url = "/en/search/?q=salt"  # a query string the page cache does not store
        response = get(client, url, BROWSER)
        assert response["Content-Encoding"] == "br"
        assert "X-Cache" not in response
        again = get(client, url, BROWSER, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


class TestSecretsAreNeverCompressed:
    """BREACH: a body holding a secret is sent as it is, whatever the browser accepts."""

    def test_the_sign_in_page_with_its_csrf_token(self, client, publication):
        response = get(client, "/en/account/sign-in/", BROWSER)
        assert response.status_code == 200
        assert b"csrfmiddlewaretoken" in response.content
        assert "Content-Encoding" not in response

    def test_a_signed_in_readers_pages(self, publication):
        client = signed_in(reader("ana@example.org"))
        for url in ("/en/account/", publication.flagship.url, "/en/feeds/rss/"):
            response = get(client, url, BROWSER)
            assert response.status_code == 200, url
            assert "Content-Encoding" not in response, url

    def _served(self, view, path="/en/story/", **extra):
        request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING=BROWSER, **extra)
        return CompressionMiddleware(view)(request)

    def test_the_rule_is_headers_not_paths(self, db):
        def plain(request):
            return HttpResponse(LONG)

        assert self._served(plain)["Content-Encoding"] == "br"

    def test_a_page_that_used_the_csrf_token(self, db):
        def view(request):
            return HttpResponse(f"{LONG}<input value='{get_token(request)}'>")

        assert "Content-Encoding" not in self._served(view)

    def test_a_page_that_sets_a_cookie(self, db):
        def view(request):
            response = HttpResponse(LONG)
            response.set_cookie("seen", "1")
            return response

        assert "Content-Encoding" not in self._served(view)

    @pytest.mark.parametrize("directive", [{"private": True}, {"no_store": True}])
    def test_a_private_or_unstorable_page(self, db, directive):
        def view(request):
            response = HttpResponse(LONG)
            patch_cache_control(response, **directive)
            return response

        assert "Content-Encoding" not in self._served(view)

    def test_a_page_that_read_the_session(self, db):
        def view(request):
            response = HttpResponse(LONG)
            response["Vary"] = "Cookie"
            return response

        assert "Content-Encoding" not in self._served(view)

    @pytest.mark.parametrize(
        "extra",
        [
            {"HTTP_COOKIE": "sessionid=abc"},
            {"HTTP_COOKIE": "messages=abc"},
            {"HTTP_AUTHORIZATION": "Bearer abc"},
        ],
    )
    def test_a_request_with_a_session_or_credentials(self, db, extra):
        def plain(request):
            return HttpResponse(LONG)

        assert "Content-Encoding" not in self._served(plain, **extra)

    @pytest.mark.parametrize(
        "path",
        ["/admin/pages/", "/en/account/data/", "/es/newsletter/confirm/x/", "/newsletter/u/x/"],
    )
    def test_admin_account_and_newsletter_paths(self, db, path):
        def plain(request):
            return HttpResponse(LONG)

        assert "Content-Encoding" not in self._served(plain, path=path)


class TestWhatIsLeftAlone:
    def _served(self, response):
        request = RequestFactory().get("/en/story/", HTTP_ACCEPT_ENCODING=BROWSER)
        return CompressionMiddleware(lambda request: response)(request)

    def test_a_small_body(self, db):
        response = self._served(HttpResponse("<p>short</p>"))
        assert "Content-Encoding" not in response
        assert "Vary" not in response

    def test_a_streaming_response(self, db):
        response = self._served(StreamingHttpResponse(iter([LONG.encode()] * 3)))
        assert "Content-Encoding" not in response
        assert b"".join(response.streaming_content) == LONG.encode() * 3

    def test_an_image_or_other_binary(self, db):
        response = self._served(HttpResponse(b"\x89PNG" * 500, content_type="image/png"))
        assert "Content-Encoding" not in response

    def test_a_body_already_encoded(self, db):
        body = gzip.compress(LONG.encode())
        response = HttpResponse(body)
        response["Content-Encoding"] = "gzip"
        assert self._served(response).content == body


@pytest.fixture(params=["memory", "file", "redis"])
def pages_cache(request, settings, tmp_path):
    """The page cache on each backend Masthead runs it on."""
    if request.param == "file":
        config = {
            "BACKEND": "masthead.lib.filecache.SampledCullFileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        }
    elif request.param == "redis":
        import redis

        url = "redis://127.0.0.1:6379/5"
        try:
            redis.Redis.from_url(url).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        config = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"compress-{tmp_path.name}",
        }
    else:
        config = settings.CACHES["pages"]
    settings.CACHES = {**settings.CACHES, "pages": config}
    yield caches["pages"]
    caches["pages"].clear()


class Counter:
    """A hole whose fragment the test changes."""

    def __init__(self) -> None:
        self.value = 1

    def __call__(self, request) -> str:
        return f"<b>Raised so far: {self.value}</b>"


class Site:
    """The page cache and compression inside conditional GET, as in settings.MIDDLEWARE,
    around a view that counts its renders; its page has a hole."""

    BODY = f"<!DOCTYPE html>{LONG}<!--masthead-hole:test-raised-->{LONG[::-1]}".encode()

    def __init__(self) -> None:
        self.renders = 0
        self.app = ConditionalGetMiddleware(CompressionMiddleware(PageCacheMiddleware(self.view)))

    def view(self, request):
        self.renders += 1
        return HttpResponse(self.BODY)

    def get(self, accept=BROWSER, **extra):
        return self.app(RequestFactory().get("/en/story/", HTTP_ACCEPT_ENCODING=accept, **extra))


class TestKeptCopies:
    @pytest.fixture
    def raised(self, db):
        hole = Counter()
        holes.register("test-raised", hole, seconds=60)
        yield hole
        holes.unregister("test-raised")

    def _kept(self, cache, response, coding):
        etag = response["ETag"].removesuffix(f'-{coding}"').strip('"')
        key = f"{pagecache.page_key(RequestFactory().get('/en/story/'))}:{coding}:{etag}"
        return cache.get(key)

    def test_a_hit_serves_the_kept_bytes_without_compressing(
        self, pages_cache, raised, monkeypatch
    ):
        counted = CountedCompress(monkeypatch)
        site = Site()
        first = site.get()
        assert first["X-Cache"] == "MISS" and first["Content-Encoding"] == "br"
        assert counted.calls == 1
        kept = self._kept(pages_cache, first, "br")
        assert isinstance(kept, bytes) and kept == first.content

        for _ in range(3):
            hit = site.get()
            assert hit["X-Cache"] == "HIT"
            assert hit.content == kept
        assert counted.calls == 1
        assert site.renders == 1

        expected = Site.BODY.replace(b"<!--masthead-hole:test-raised-->", raised(None).encode())
        assert brotli.decompress(hit.content) == expected

    def test_each_coding_has_its_own_kept_copy(self, pages_cache, raised, monkeypatch):
        counted = CountedCompress(monkeypatch)
        site = Site()
        br, gz = site.get(), site.get("gzip")
        assert (br["Content-Encoding"], gz["Content-Encoding"]) == ("br", "gzip")
        site.get(), site.get("gzip")
        assert counted.calls == 2
        assert gzip.decompress(gz.content) == brotli.decompress(br.content)
        assert self._kept(pages_cache, gz, "gzip") == gz.content

    def test_a_changed_fragment_gives_a_new_compressed_body(
        self, pages_cache, raised, monkeypatch
    ):
        counted = CountedCompress(monkeypatch)
        site = Site()
        before = site.get()
        raised.value = 2
        holes.clear("test-raised")
        after = site.get()
        assert after["X-Cache"] == "HIT" and site.renders == 1  # the page itself is kept
        assert counted.calls == 2
        assert after["ETag"] != before["ETag"]
        assert b"Raised so far: 2" in brotli.decompress(after.content)
        assert b"Raised so far: 1" in brotli.decompress(before.content)
        # The browser holding the old version is sent the new one, then revalidates.
        assert site.get(HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
        assert site.get(HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304

    def test_a_hit_answers_304_for_the_compressed_etag(self, pages_cache, raised):
        site = Site()
        etag = site.get()["ETag"]
        response = site.get(HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response["ETag"] == etag
        assert response.content == b""
