"""The scale path for real (issue 10 §3): PostgreSQL, Redis, RQ, S3 and two of everything.

Two "machines" (tests/deploy/cluster.py), each running the commands of the shipped
systemd units (docs/deploy/systemd/): a web process (`masthead serve`, gunicorn) and an
RQ worker (`masthead worker`), later a scheduler (`masthead scheduler`). The shipped
nginx.conf sits in front of both web processes as one upstream. They share the machine's
PostgreSQL (a database of their own), its Redis (the db in MASTHEAD_SCALE_REDIS_URL, else
REDIS_URL's: flushed before and after) and an S3 bucket on moto's server. Mail goes to
an aiosmtpd sink in this process.

Runs alone in .ci/run's PostgreSQL pass (.ci/run says why); skipped, saying why, when
DATABASE_URL is not PostgreSQL, REDIS_URL is unset, or nginx is missing. The tests share one cluster and run
in file order; each sets up the data it reads, so none depends on another's outcome.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.deploy.cluster import (
    BUCKET,
    EDITOR,
    UNITS,
    csrf_token,
    kill_worker,
    running_cluster,
    scale_services,
    start_schedulers,
    unit_command,
    wait_for,
)
from tests.deploy.harness import nginx_binary
from tests.smtp_sink import Sink

pytestmark = [
    pytest.mark.skipif(
        scale_services() is None,
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://..., REDIS_URL): "
        ".ci/run's second pass",
    ),
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed"),
]

READERS = 5000
SCHEDULED_READERS = 300

SEED = f"""
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Site
from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.newsletter import sending, services as newsletter
from masthead.newsroom import services
from masthead.newsroom.models import PublicationSettings
from masthead.newsroom.services import ArticleDraft

get_user_model().objects.create_superuser("{EDITOR[0]}", "editor@example.org", "{EDITOR[1]}")
en = services.ensure_locales(["en"])["en"]
home = services.create_home(title="The Scale Gazette", slug="home", locale=en)
# Made by the first page view otherwise (and that save would empty the page cache).
PublicationSettings.for_site(Site.objects.get(is_default_site=True))
news = services.create_section(home=home, title="News", slug="news")

def paragraph(text):
    return [{{"type": "paragraph", "value": f"<p>{{text}}</p>"}}]

services.create_article(section=news, draft=ArticleDraft(
    title="Yesterday's story", slug="yesterday", standfirst="Old news.",
    body=paragraph("Nothing new here.")))
drafts = [
    services.create_article(section=news, publish=False, draft=ArticleDraft(
        title=title, slug=slug, standfirst="Breaking.", body=paragraph(word)))
    for title, slug, word in [
        ("Harbour bridge reopens", "bridge", "quetzalcoatlus"),
        ("River festival returns", "festival", "xylophonist"),
    ]
]
private = Collection.get_first_root_node().add_child(name="Board papers")
CollectionViewRestriction.objects.create(
    collection=private, restriction_type=CollectionViewRestriction.LOGIN)

now = timezone.now()
lists = []
for slug, count in [("daily", {READERS}), ("weekly", {SCHEDULED_READERS})]:
    letter = Newsletter.objects.create(name=slug.title(), slug=slug, sender_name="Gazette")
    readers = Reader.objects.bulk_create(
        [Reader(email=f"{{slug}}{{i}}@example.org") for i in range(count)], batch_size=1000)
    Subscription.objects.bulk_create(
        [Subscription(reader=r, newsletter=letter, status="confirmed", source="import",
                      consented_at=now) for r in readers], batch_size=1000)
    lists.append(letter)
daily = newsletter.create_edition(newsletter=lists[0], subject="Daily edition")
weekly = newsletter.create_edition(newsletter=lists[1], subject="Weekly edition")
print(drafts[0].pk, drafts[1].pk, Collection.get_first_root_node().pk, private.pk,
      lists[0].pk, daily.pk, weekly.pk)
"""


@pytest.fixture(scope="module")
def sink():
    with Sink() as running:
        yield running


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, sink):
    root = tmp_path_factory.mktemp("scale")
    with running_cluster(
        root,
        smtp_port=sink.port,
        # Rows a dead worker had claimed are taken over after CLAIM_SECONDS (which must
        # exceed one send's EMAIL_TIMEOUT): seconds here, not minutes.
        MASTHEAD_EMAIL_TIMEOUT="2",
        MASTHEAD_NEWSLETTER_CLAIM_SECONDS="6",
        MASTHEAD_NEWSLETTER_BATCH_SIZE="50",
        # Both workers are still sending when one is killed.
        MASTHEAD_NEWSLETTER_SEND_RATE="250",
    ) as running:
        seeded = running.manage(SEED, MASTHEAD_TASK_BACKEND="immediate").split()
        running.ids = dict(
            zip(
                ["bridge", "festival", "public", "private", "daily_list", "daily", "weekly"],
                map(int, seeded),
                strict=True,
            )
        )
        yield running


@pytest.fixture(autouse=True)
def logs_on_failure(request, cluster):
    """The tails of every process's log under a failed test's report."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        print(cluster.logs())  # noqa: T201


def publish(editor, page_id: int) -> None:
    """Wagtail's bulk "Publish" action, as an editor presses it in the page listing."""
    path = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}"
    confirm = editor.get(path)
    assert confirm.status_code == 200, confirm.text[:500]
    response = editor.post(path, data={"csrfmiddlewaretoken": csrf_token(confirm.text)})
    assert response.status_code == 302, response.text[:500]


def upload(editor, kind: str, name: str, content: bytes, collection: int) -> int:
    """The admin's multiple-upload form (what its drag-and-drop posts): the new object's id."""
    form = editor.get(f"/admin/{kind}/multiple/add/")
    assert form.status_code == 200
    data = {"csrfmiddlewaretoken": csrf_token(form.text), "collection": str(collection)}
    response = editor.post(
        f"/admin/{kind}/multiple/add/",
        data=data,
        files={"files[]": (name, content)},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.text[:500]
    answer = response.json()
    assert answer["success"], answer
    # Anything but "<kind>_id" means the upload is waiting for more fields: a failure here.
    return int(answer["image_id" if kind == "images" else "doc_id"])


def test_a_publish_through_one_server_shows_on_the_other_at_once(cluster):
    other = cluster.client(cluster.web(2))
    # The other server has the home page in the shared page cache.
    other.get("/en/")
    page = other.get("/en/")
    assert (page.status_code, page.headers["X-Cache"]) == (200, "HIT")
    assert "Harbour bridge reopens" not in page.text
    assert other.get("/en/news/bridge/").status_code == 404

    publish(cluster.editor(cluster.web(1)), cluster.ids["bridge"])

    # No wait: the publish emptied the page cache in Redis, which both servers read.
    article = other.get("/en/news/bridge/")
    assert article.status_code == 200
    assert "Harbour bridge reopens" in article.text
    home = other.get("/en/")
    assert "Harbour bridge reopens" in home.text
    # Search and the reference index are updated by tasks on RQ: seen once a worker ran them.
    wait_for(
        lambda: "Harbour bridge reopens" in other.get("/en/search/?q=quetzalcoatlus").text,
        timeout=60,
        what="the search index task",
    )


def test_an_image_uploaded_through_one_server_is_shown_by_the_other_from_the_bucket(cluster):
    from PIL import Image

    picture = io_png(Image.new("RGB", (1600, 900), (200, 40, 40)))
    image_id = upload(
        cluster.editor(cluster.web(1)), "images", "harbour.png", picture, cluster.ids["public"]
    )
    assert any(key.startswith("original_images/harbour") for key in cluster.bucket_keys())

    # An editor's edit: the draft article gets the image (saved like the editor's form
    # does, with the worker on RQ), then it is published from the other server.
    cluster.manage(
        f"""
from masthead.newsroom.models import ArticlePage
from wagtail.images import get_image_model
page = ArticlePage.objects.get(pk={cluster.ids["festival"]})
page.hero_image = get_image_model().objects.get(pk={image_id})
page.hero_alt = "The harbour"
page.save()
page.save_revision()
"""
    )
    publish(cluster.editor(cluster.web(2)), cluster.ids["festival"])

    reader = cluster.client(cluster.web(1))
    article = reader.get("/en/news/festival/")
    assert article.status_code == 200
    sources = re.findall(r'<img[^>]+src="([^"]+)"', article.text)
    renditions = [src for src in sources if "/images/harbour" in src]
    assert renditions, sources
    assert renditions[0].startswith(f"{cluster.s3_endpoint}/{BUCKET}/images/")
    served = cluster.client(cluster.s3_endpoint).get(
        renditions[0].removeprefix(cluster.s3_endpoint)
    )
    assert (served.status_code, served.content[:8]) == (200, b"\x89PNG\r\n\x1a\n")
    # The page's Content-Security-Policy lets a browser load it from there.
    assert cluster.s3_endpoint in article.headers["Content-Security-Policy"]
    assert any(key.startswith("images/harbour") for key in cluster.bucket_keys())

    # The reference index (a task on RQ) knows the article uses the image: the admin's
    # usage page on the first server lists it.
    editor = cluster.editor(cluster.web(1))
    wait_for(
        lambda: "River festival returns" in editor.get(f"/admin/images/usage/{image_id}/").text,
        timeout=60,
        what="the reference index task",
    )
    ran = cluster.finished_tasks()
    assert "wagtail.tasks.update_reference_index_task" in ran
    assert "modelsearch.tasks.insert_or_update_object_task" in ran


def io_png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_private_document_is_served_only_through_the_permission_check(cluster):
    secret = b"%PDF-1.4 board minutes: the budget"
    doc_id = upload(
        cluster.editor(cluster.web(1)), "documents", "minutes.pdf", secret, cluster.ids["private"]
    )
    keys = [key for key in cluster.bucket_keys() if key.startswith("documents/minutes")]
    assert keys
    path = f"/documents/{doc_id}/{keys[0].removeprefix('documents/')}"

    for base in (cluster.front, cluster.web(1), cluster.web(2)):
        anonymous = cluster.client(base).get(path)
        assert anonymous.status_code == 302
        assert "/login/" in anonymous.headers["Location"]
        assert secret not in anonymous.content
    # nginx refuses the media path, whatever the storage.
    assert cluster.client(cluster.front).get(f"/media/{keys[0]}").status_code == 404

    # Signed in, through nginx (which passes /documents/ through uncached) and the other
    # server: the file itself, streamed by Masthead, never a redirect to the bucket.
    for base in (cluster.front, cluster.web(2)):
        signed_in = cluster.editor(base).get(path)
        assert signed_in.status_code == 200, signed_in.text[:300]
        assert signed_in.content == secret
        assert cluster.s3_endpoint not in str(signed_in.headers)
    assert cluster.client(cluster.front).get(path).status_code == 302  # not cached by nginx


def test_the_sign_up_limit_is_counted_once_across_both_servers(cluster, sink):
    letter = cluster.ids["daily_list"]
    form = {"email": "twice@example.org", "newsletters": str(letter), "language": "en"}
    answers = [
        cluster.client(cluster.web(machine)).post("/en/newsletter/", data=form).status_code
        for machine in (1, 2, 1, 2)
    ]
    # MASTHEAD_SIGNUP_LIMIT_PER_ADDRESS (3 an hour) across both servers, not 3 each.
    assert answers == [302, 302, 302, 429]

    # The per-client limit (10 an hour) through nginx, which spreads the posts over both
    # servers; nginx's X-Forwarded-For names the client (MASTHEAD_TRUSTED_PROXY_COUNT=1).
    front = cluster.client(cluster.front)
    answers = [
        front.post("/en/newsletter/", data={**form, "email": f"reader{n}@example.org"}).status_code
        for n in range(7)
    ]
    assert answers == [302] * 6 + [429]
    # The confirmation mail is sent by an RQ worker.
    wait_for(
        lambda: sink.handler.rcpt_counts()["reader5@example.org"] == 1,
        timeout=60,
        what="the sign-up confirmation",
    )


def edition_status(cluster, edition: int) -> str:
    return cluster.query("SELECT status FROM newsletter_edition WHERE id = %s", edition)[0][0]


def test_an_edition_survives_a_killed_rq_worker_and_reaches_every_reader_once(cluster, sink):
    edition = cluster.ids["daily"]
    # An editor's "Send now" pressed twice (two tabs): two jobs, one per worker.
    cluster.manage(
        f"""
from masthead.newsletter import services
from masthead.newsletter.models import Edition
edition = Edition.objects.get(pk={edition})
services.send_now(edition=edition)
services.enqueue_send(edition=edition)
"""
    )

    def daily_count() -> int:
        return sum(n for rcpt, n in sink.handler.rcpt_counts().items() if rcpt.startswith("daily"))

    wait_for(lambda: daily_count() >= READERS // 5, timeout=120, what="the send to start")
    peers_before_kill = Counter(
        r.peer for r in list(sink.handler.received) if r.rcpt.startswith("daily")
    )
    killed = kill_worker(cluster, "worker1")
    assert len(killed) == 2, "the worker had a work horse sending"
    at_kill = daily_count()
    assert at_kill < READERS, "the kill came after the send had ended"

    wait_for(
        lambda: edition_status(cluster, edition) == "sent",
        timeout=600,
        what="the surviving worker to finish the edition",
        every=1,
    )
    counts = Counter(
        {rcpt: n for rcpt, n in sink.handler.rcpt_counts().items() if rcpt.startswith("daily")}
    )
    assert set(counts) == {f"daily{i}@example.org" for i in range(READERS)}
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 1, f"{duplicates} duplicates after one kill"
    # Both workers were sending when one was killed (one SMTP connection each).
    assert len(peers_before_kill) >= 2
    assert min(peers_before_kill.values()) > 50
    print(  # noqa: T201
        f"\nkilled worker at {at_kill}/{READERS} sent; duplicates: {duplicates}; "
        f"per connection before the kill: {sorted(peers_before_kill.values())}"
    )


def test_two_schedulers_send_a_due_edition_once(cluster, sink):
    edition = cluster.ids["weekly"]
    cluster.manage(
        f"""
from django.utils import timezone
from masthead.newsletter import services
from masthead.newsletter.models import Edition
services.schedule_edition(edition=Edition.objects.get(pk={edition}), at=timezone.now())
"""
    )
    # Both start at once; the first thing each does is send what is due.
    start_schedulers(cluster)
    wait_for(
        lambda: edition_status(cluster, edition) == "sent",
        timeout=300,
        what="the schedulers to send the weekly edition",
        every=1,
    )
    counts = Counter(
        {rcpt: n for rcpt, n in sink.handler.rcpt_counts().items() if rcpt.startswith("weekly")}
    )
    assert set(counts) == {f"weekly{i}@example.org" for i in range(SCHEDULED_READERS)}
    assert max(counts.values()) == 1


def test_the_cluster_runs_with_every_variable_the_deploy_guide_sets(cluster):
    documented = [
        line.split("=", 1)[0]
        for line in (UNITS.parent / "masthead.env").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert "MASTHEAD_TASK_BACKEND" in documented
    # Each machine has its own MASTHEAD_DATA_DIR; the rest is the same everywhere.
    assert [name for name in documented if name not in cluster.machine_env(1)] == []
    # Each process was started from its unit's ExecStart line.
    for unit in ("masthead-web.service", "masthead-worker@.service", "masthead-scheduler.service"):
        assert unit_command(unit)[0] in {"serve", "worker", "scheduler"}
