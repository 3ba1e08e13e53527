"""Reader pages that are not Wagtail pages: contributor and topic archives, search, robots.txt."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Locale

from masthead.discovery import search as site_search
from masthead.newsroom import queries

SEARCH_PER_PAGE = 10


@require_safe
def contributor(request: HttpRequest, slug: str) -> HttpResponse:
    person = queries.contributor_by_slug(slug=slug, locale=Locale.get_active())
    page_obj = queries.paginate(
        queries.contributor_articles(person),
        page=request.GET.get("page"),
        count_key=f"contributor:{person.pk}",
    )
    return render(
        request,
        "discovery/contributor.html",
        {"contributor": person, "page_obj": page_obj},
    )


@require_safe
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    tag = queries.topic_by_slug(slug=slug, locale=locale)
    articles = queries.topic_articles(slug=tag.slug, locale=locale)
    page_obj = queries.paginate(
        articles, page=request.GET.get("page"), count_key=f"topic:{tag.pk}:{locale.pk}"
    )
    return render(request, "discovery/topic.html", {"topic": tag, "page_obj": page_obj})


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    locale = Locale.get_active()
    query = site_search.clean_query(request.GET.get("q"))
    page_obj = None
    contributors = []
    if query:
        # A query of nothing but punctuation searches nothing: an empty page, not an error.
        results = site_search.search_articles(query, locale=locale)
        page_obj = queries.paginate(
            results, page=request.GET.get("page"), per_page=SEARCH_PER_PAGE
        )
        # Search results carry no prefetches; fetch what a card shows in one go.
        ids = [article.pk for article in page_obj.object_list]
        cards = queries.articles_for_cards(ids)
        page_obj.object_list = [cards[pk] for pk in ids if pk in cards]
        if page_obj.number == 1:
            contributors = site_search.matching_contributors(query, locale=locale)
    return render(
        request,
        "discovery/search.html",
        {"search_query": query, "page_obj": page_obj, "contributors": contributors},
    )


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
