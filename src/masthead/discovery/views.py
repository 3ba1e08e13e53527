"""Reader pages that are not Wagtail pages: contributor and topic archives."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from taggit.models import Tag
from wagtail.models import Locale

from masthead.discovery import queries


def contributor(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    person = queries.contributor_by_slug(slug=slug, locale=locale)
    page_obj = queries.paginate(queries.contributor_articles(person), page=request.GET.get("page"))
    return render(
        request,
        "discovery/contributor.html",
        {"contributor": person, "page_obj": page_obj},
    )


def topic(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    tag = Tag.objects.filter(slug=slug).first()
    articles = queries.topic_articles(slug=slug, locale=locale) if tag else None
    if tag is None or not articles.exists():
        from django.http import Http404

        raise Http404("No such topic")
    page_obj = queries.paginate(articles, page=request.GET.get("page"))
    return render(request, "discovery/topic.html", {"topic": tag, "page_obj": page_obj})


def search(request: HttpRequest) -> HttpResponse:
    from masthead.discovery.search import clean_query, search_articles

    query = clean_query(request.GET.get("q"))
    results = search_articles(query, locale=Locale.get_active())
    page_obj = queries.paginate(results, page=request.GET.get("page"), per_page=10) if query else None
    if page_obj is not None:
        ids = [article.pk for article in page_obj.object_list]
        cards = queries.articles_for_cards(ids)
        page_obj.object_list = [cards[pk] for pk in ids if pk in cards]
    return render(
        request,
        "discovery/search.html",
        {"search_query": query, "page_obj": page_obj},
    )
