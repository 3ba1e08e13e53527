"""The editors' dashboard and sign-in page: the publication's, not the framework's.

The dashboard shows where to write, the editor's own drafts, what is scheduled (in the
publication's time zone), what went live, what waits for a translation, the last
newsletter's figures and this month's support; framework notices are for administrators.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from masthead.newsletter.models import Delivery, Edition
from masthead.newsroom import services
from tests.discovery.factories import make_image
from tests.funding.campaign_rows import donate
from tests.newsletter import factories
from tests.theme.markup import parse

HOME = "/admin/"
LOGIN = "/admin/login/"


def _user(name: str, *, groups: tuple[str, ...] = ("Editors",), superuser: bool = False):
    model = get_user_model()
    if superuser:
        return model.objects.create_superuser(name, f"{name}@example.org", "pw-x-123")
    user = model.objects.create_user(name, f"{name}@example.org", "pw-x-123")
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def me(client, publication):
    user = _user("me")
    client.force_login(user)
    return user


def panel(doc, panel_id):
    """The dashboard panel with this id (Wagtail's panel: a section holding its heading)."""
    found = [s for s in doc.find_all("section") if s.attrs.get("id") == f"{panel_id}-section"]
    return found[0] if found else None


def dashboard(client, panel_id=None):
    response = client.get(HOME)
    assert response.status_code == 200
    doc = parse(response.content)
    return doc if panel_id is None else panel(doc, panel_id)


# --- branding ------------------------------------------------------------------------------


def test_the_sign_in_page_carries_the_publication_s_name_not_wagtail_s(client, publication):
    doc = parse(client.get(LOGIN).content)
    assert doc.find("h1").text.strip() == "Sign in to The Test Gazette"
    assert doc.find("title").text.strip() == "Sign in - The Test Gazette"
    assert "Wagtail" not in doc.find("main").text
    logo = doc.find("main").find("img", **{"class": "publication-logo"})
    assert logo.attrs["alt"] == "The Test Gazette"


def test_the_dashboard_is_titled_with_the_publication_s_name(client, me):
    doc = dashboard(client)
    assert doc.find("h1").text.strip() == "The Test Gazette"
    assert doc.find("title").text.strip() == "Dashboard - The Test Gazette"
    assert "Wagtail" not in doc.find("title").text
    # The sidebar's logo is the publication's (the sidebar reads it from this template).
    branding = doc.find("template", **{"data-wagtail-sidebar-branding-logo": ""})
    assert branding.find("img").attrs["alt"] == "The Test Gazette"


def test_the_publication_s_logo_is_shown_when_it_has_one(
    client, me, publication, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    logo = make_image("Gazette logo", size=(200, 100))
    services.configure_publication(
        site=Site.objects.get(is_default_site=True), texts={}, logo=logo
    )
    for url in (HOME, LOGIN):
        img = parse(client.get(url).content).find("img", **{"class": "publication-logo"})
        assert img.attrs["alt"] == "The Test Gazette"
        assert "/images/" in img.attrs["src"]  # a rendition of the uploaded logo
        client.logout()


def test_the_sign_in_page_speaks_spanish_to_a_spanish_browser(client, publication):
    doc = parse(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="es").content)
    assert doc.find("h1").text.strip() == "Inicia sesión en The Test Gazette"


# --- framework notices -----------------------------------------------------------------------


def test_a_non_admin_editor_sees_no_site_summary_nor_wagtail_release_notes(client, me):
    response = client.get(HOME)
    doc = parse(response.content)
    assert not doc.find_all("section", **{"class": "w-summary"})
    sidebar = _sidebar(response)
    assert "What's new in Wagtail" not in sidebar
    assert "guide.wagtail.org" not in sidebar
    assert "keyboard-shortcuts-trigger" in sidebar  # the rest of Help stays
    assert "editor guide" not in doc.find("main").text  # beside the avatar


def test_an_admin_still_sees_the_site_summary_and_the_help_menu(client, publication):
    client.force_login(_user("boss", superuser=True))
    response = client.get(HOME)
    doc = parse(response.content)
    assert doc.find_all("section", **{"class": "w-summary"})
    sidebar = _sidebar(response)
    assert "What's new in Wagtail" in sidebar
    assert "guide.wagtail.org" in sidebar
    assert "editor guide" in doc.find("main").text


def test_no_upgrade_banner_even_for_an_admin(client, publication):
    client.force_login(_user("boss", superuser=True))
    assert b"data-w-upgrade" not in client.get(HOME).content


def _sidebar(response) -> str:
    """The sidebar's menus: Wagtail renders them as JSON props for its sidebar script."""
    return parse(response.content).find("script", id="wagtail-sidebar-props").text


# --- newsroom panels -------------------------------------------------------------------------


def test_new_article_links_to_an_article_form_under_each_section(client, me, publication):
    links = dashboard(client, "dashboard-new-article").find_all("a")
    hrefs = {a.attrs["href"] for a in links}
    for section in (publication.interviews, publication.analysis, publication.interviews_es):
        assert f"/admin/pages/add/newsroom/articlepage/{section.pk}/" in hrefs
    texts = [a.text.strip() for a in links]
    assert "New article in Interviews (English)" in texts
    assert "New article in Entrevistas (Spanish)" in texts


def test_my_draft_shows_and_another_editor_s_does_not(client, me, publication):
    publication.draft.save_revision(user=me)
    other = _user("other")
    publication.others[1].save_revision(user=other)  # live, with changes of someone else's
    rows = dashboard(client, "dashboard-my-drafts").find_all("tr")
    titles = [row.find_all("td")[0].text.strip() for row in rows if row.find_all("td")]
    assert titles == ["Unpublished draft about quarries"]


def test_a_published_page_with_my_unpublished_changes_is_my_draft(client, me, publication):
    page = publication.others[2]
    page.title = "Dispatch two, revised"
    page.save_revision(user=me)
    rows = dashboard(client, "dashboard-my-drafts").find_all("tr")
    cells = [row.find_all("td") for row in rows if row.find_all("td")]
    assert [(c[0].text.strip(), c[2].text.strip()) for c in cells] == [
        ("Dispatch two, revised", "Live, with unpublished changes")
    ]


def test_a_scheduled_page_shows_with_its_time_in_the_publication_s_zone(
    client, me, publication, settings
):
    settings.TIME_ZONE = "America/Lima"
    # The editor's own zone (Wagtail's account setting) does not move the newsroom's time.
    profile = UserProfile.get_for_user(me)
    profile.current_time_zone = "Asia/Tokyo"
    profile.save(update_fields=["current_time_zone"])
    page = publication.draft
    page.go_live_at = dt.datetime(2030, 3, 4, 12, 30, tzinfo=dt.UTC)
    page.save_revision(user=me).publish()
    section = dashboard(client, "dashboard-scheduled")
    cells = [row.find_all("td") for row in section.find_all("tr") if row.find_all("td")]
    assert [c[0].text.strip() for c in cells] == ["Unpublished draft about quarries"]
    time = cells[0][2].find("time")
    assert time.attrs["datetime"] == "2030-03-04T07:30:00-05:00"  # 12:30 UTC in Lima
    assert "America/Lima" in cells[0][2].text
    # Scheduled, so not among my drafts.
    drafts = dashboard(client, "dashboard-my-drafts")
    assert "Unpublished draft about quarries" not in drafts.text


def test_nothing_scheduled_says_so(client, me):
    assert "Nothing is scheduled." in dashboard(client, "dashboard-scheduled").text


def test_recently_published_lists_the_last_published_first(client, me, publication):
    publication.others[4].save_revision().publish()  # published again: now the latest
    rows = dashboard(client, "dashboard-recently-published").find_all("tr")
    titles = [row.find_all("td")[0].text.strip() for row in rows if row.find_all("td")]
    assert titles[0] == "Dispatch number 4"
    assert "Unpublished draft about quarries" not in titles


def test_articles_waiting_for_a_translation_show_with_the_missing_language(
    client, me, publication
):
    section = dashboard(client, "dashboard-awaiting-translation")
    assert "6 published articles have no translation yet." in section.text
    cells = [row.find_all("td") for row in section.find_all("tr") if row.find_all("td")]
    assert [c[0].text.strip() for c in cells][:2] == ["Dispatch number 0", "Dispatch number 1"]
    assert {c[2].text.strip() for c in cells} == {"Spanish"}
    first = publication.others[0]
    assert f"/admin/translation/submit/page/{first.pk}/" in {
        a.attrs["href"] for a in section.find_all("a")
    }
    # The translated flagship is not waiting.
    assert "Salt and Silver" not in section.text


def test_a_translation_removes_the_article_from_the_waiting_list(client, me, publication):
    services.translate_page(publication.others[0], locale=publication.es, title="Despacho 0")
    section = dashboard(client, "dashboard-awaiting-translation")
    assert "5 published articles have no translation yet." in section.text


# --- newsletter and funding panels ---------------------------------------------------------------


def test_the_last_newsletter_edition_shows_its_figures(client, me, publication):
    me.user_permissions.add(Permission.objects.get(codename="add_edition"))
    daily = factories.newsletter()
    old = Edition.objects.create(newsletter=daily, subject="Last week", status=Edition.Status.SENT)
    old.finished_at = timezone.now() - dt.timedelta(days=7)
    old.save(update_fields=["finished_at"])
    edition = Edition.objects.create(
        newsletter=daily,
        subject="Salt and silver",
        status=Edition.Status.SENT,
        recipients_count=4,
        finished_at=timezone.now(),
    )
    now = timezone.now()
    for i, (status, bounced) in enumerate(
        [("sent", None), ("sent", now), ("sent", None), ("failed", None)]
    ):
        Delivery.objects.create(
            edition=edition, email=f"r{i}@example.org", status=status, bounced_at=bounced
        )
    Edition.objects.create(newsletter=daily, subject="Not yet", status=Edition.Status.DRAFT)

    section = dashboard(client, "dashboard-last-edition")
    assert "Salt and silver" in section.text
    figures = _figures(section)
    assert figures == {
        "Recipients": "4",
        "Sent": "3",
        "Failed": "1",
        "Bounced": "1",
        "Unsubscribed": "0",
        "Marked as spam": "0",
    }
    assert f"/admin/snippets/newsletter/edition/inspect/{edition.pk}/" in {
        a.attrs["href"] for a in section.find_all("a")
    }


def test_the_newsletter_panel_is_not_shown_to_who_may_not_send(client, me, publication):
    Edition.objects.create(
        newsletter=factories.newsletter(), subject="Sent", status=Edition.Status.SENT
    )
    assert dashboard(client, "dashboard-last-edition") is None


def test_this_month_s_support_sums_payments_by_currency_and_counts_people(client, me, publication):
    donate(None, 2500, email="a@example.org", currency="USD")
    donate(None, 1000, email="A@example.org", currency="USD")  # the same donor again
    donate(None, 5000, email="b@example.org", currency="PEN")
    donate(None, 700, email="c@example.org", currency="USD", status="failed")
    section = dashboard(client, "dashboard-month-support")
    figures = _figures(section)
    assert figures["Raised in PEN"] == "S/50.00"
    assert figures["Raised in USD"] == "US$35.00"
    assert figures["Donors"] == "2"
    assert figures["New members"] == "0"


def test_last_month_s_payments_are_not_this_month_s(client, me, publication):
    payment = donate(None, 2500, email="a@example.org", currency="USD")
    payment.paid_at = timezone.now() - dt.timedelta(days=40)
    payment.save(update_fields=["paid_at"])
    figures = _figures(dashboard(client, "dashboard-month-support"))
    assert figures["Raised"] == "nothing yet"
    assert figures["Donors"] == "0"


def _figures(section) -> dict[str, str]:
    return {
        pair.find("dt").text.strip(): pair.find("dd").text.strip()
        for pair in section.find("dl").find_all("div")
    }


# --- cost ----------------------------------------------------------------------------------------


def _add_content(publication, user, numbers: range) -> None:
    """Of each kind the dashboard lists: a draft of the user's, a scheduled page, a new
    article (published, so untranslated), a sent edition, a donation."""
    daily = factories.newsletter(slug=f"daily-{numbers.start}", name=f"Daily {numbers.start}")

    def draft(name: str, i: int, *, publish: bool = False) -> Page:
        return services.create_article(
            section=publication.analysis,
            publish=publish,
            draft=services.ArticleDraft(
                title=f"{name} {i}",
                slug=f"{name.lower()}-{i}",
                standfirst="More.",
                bylines=[publication.writer],
            ),
        )

    for i in numbers:
        draft("Draft", i).save_revision(user=user)
        later = draft("Later", i)
        later.go_live_at = timezone.now() + dt.timedelta(days=1 + i)
        later.save_revision(user=user).publish()
        draft("Published", i, publish=True)
        Edition.objects.create(
            newsletter=daily,
            subject=f"Edition {i}",
            status=Edition.Status.SENT,
            finished_at=timezone.now(),
        )
        donate(None, 100 + i, email=f"d{i}@example.org", currency="USD")


def test_the_dashboard_s_queries_do_not_grow_with_the_content(client, publication):
    boss = _user("boss", superuser=True)  # sees every panel
    client.force_login(boss)
    _add_content(publication, boss, range(1))
    client.get(HOME)  # warm the caches (site, publication settings, content types)
    with CaptureQueriesContext(connection) as one_of_each:
        assert client.get(HOME).status_code == 200

    _add_content(publication, boss, range(1, 5))
    client.get(HOME)  # publishing moved the cache generation: the site and settings again
    with CaptureQueriesContext(connection) as five_of_each:
        response = client.get(HOME)
    doc = parse(response.content)
    assert "Draft 4" in panel(doc, "dashboard-my-drafts").text
    assert "Later 4" in panel(doc, "dashboard-scheduled").text
    assert "Published 4" in panel(doc, "dashboard-recently-published").text
    assert "Published 4" in panel(doc, "dashboard-awaiting-translation").text
    assert len(five_of_each) == len(one_of_each), "\n".join(
        q["sql"][:160] for q in five_of_each.captured_queries
    )
