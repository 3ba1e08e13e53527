"""Reader pages that are not Wagtail pages: contributor and topic archives, search, robots.txt."""

from functools import partial

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from masthead.discovery import invalidation, links, sharing
from masthead.discovery import search as site_search
from masthead.discovery.forms import SearchForm
from masthead.discovery.search_engines import Query
from masthead.lib import ratelimit
from masthead.newsroom import access, queries


@require_safe
def contributor(request: HttpRequest, slug: str) -> HttpResponse:
    tags = invalidation.route_tags(request)
    person, languages = queries.contributor_page(
        slug=slug, locale=queries.active_locale(), tags=tags
    )
    page_obj = queries.paginate_cards(
        partial(queries.contributor_articles, person),
        page=request.GET.get("page"),
        count_key=f"contributor:{person.pk}",
        tags=tags,
    )
    if not page_obj.paginator.count:
        # No published piece yet (the subject of a draft interview): no page announcing them.
        raise Http404("No such contributor")
    return render(
        request,
        "discovery/contributor.html",
        {
            "contributor": person,
            "page_obj": page_obj,
            "languages_shown": languages,
        },
    )


@require_safe
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    locale = queries.active_locale()
    tag, languages = queries.topic_and_languages(slug=slug, locale=locale)
    page_obj = queries.paginate_cards(
        partial(queries.topic_articles, slug=tag.slug, locale=locale),
        page=request.GET.get("page"),
        count_key=f"topic:{tag.pk}:{locale.pk}",
        tags=invalidation.route_tags(request),
    )
    return render(
        request,
        "discovery/topic.html",
        {"topic": tag, "page_obj": page_obj, "languages_shown": languages},
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    locale = queries.active_locale()
    query = site_search.clean_query(request.GET.get("q"))
    form = SearchForm(request.GET, locale=locale)
    context = {"search_query": query, "form": form, "page_obj": None, "contributors": []}
    if not query:
        return render(request, "discovery/search.html", context)
    if not form.is_valid():
        # A filter nobody can apply: say which, rather than search more widely than asked.
        return render(request, "discovery/search.html", context, status=400)
    number = queries.page_number(request.GET.get("page"))
    start, before = form.date_range()
    filters = Query(
        terms=(),
        languages=form.languages(),
        section_id=form.section_id(),
        contributor_ids=form.contributor_ids(),
        kind=form.cleaned_data["kind"],
        published_from=start,
        published_before=before,
    )
    member = access.has_member_access(request) if request.COOKIES else False
    try:
        found = site_search.find(
            query,
            filters=filters,
            page=number,
            member=member,
            may_run=partial(_may_search, request),
        )
    except site_search.TooManySearches:
        refused = render(request, "discovery/too_many_searches.html", status=429)
        refused["Retry-After"] = "60"  # the limit's window is a minute
        return refused
    if number > found.num_pages:
        raise Http404("Invalid page number")
    context["page_obj"] = found
    context["filter_query"] = _filter_query(request)
    if number == 1:
        context["contributors"] = site_search.matching_contributors(query, locale=locale)
    return render(request, "discovery/search.html", context)


def _may_search(request: HttpRequest) -> bool:
    limit = settings.SEARCH_RATE_LIMIT
    if not limit:
        return True
    return ratelimit.hit("search", ratelimit.client_ip(request), limit=limit, window_seconds=60)


def _filter_query(request: HttpRequest) -> str:
    """The query string without the page number, for the pager's links."""
    kept = request.GET.copy()
    kept.pop("page", None)
    return kept.urlencode()


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl everything but the admin and search results (endless, thin, and noindex)."""
    lines = ["User-agent: *", "Allow: /", "Disallow: /admin/"]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            lines.append(f"Disallow: {reverse('discovery:search')}")
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD", "POST"])
def share_mastodon(request: HttpRequest) -> HttpResponse:
    """Ask the reader for their Mastodon server, then send them to its share page.

    The redirect happens only for a POST with the CSRF token: a link cannot send anyone
    to a server they did not type (no open redirect). Only our own article URLs are shared.
    """
    data = request.POST if request.method == "POST" else request.GET
    url, title = data.get("url", ""), data.get("title", "")[:300]
    if not url.startswith(settings.BASE_URL + "/") and not url.startswith(
        links.site_root_url(request) + "/"
    ):
        return render(request, "theme/share_mastodon.html", {"invalid_link": True}, status=400)
    error = ""
    if request.method == "POST":
        server = sharing.mastodon_server(request.POST.get("server", ""))
        if server is not None:
            return redirect(sharing.mastodon_share_url(server=server, text=f"{title} {url}"))
        error = _("Enter the address of a Mastodon server, such as mastodon.social.")
    return render(
        request,
        "theme/share_mastodon.html",
        {"url": url, "title": title, "error": error, "server": request.POST.get("server", "")},
        status=400 if error else 200,
    )
