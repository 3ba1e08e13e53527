"""A worker killed mid-batch posts nothing twice on its own (issue 11 §4).

The worker is a real process on a database of its own (SQLite, or PostgreSQL in CI's
second pass), killed with SIGKILL while its request
for one post is on the wire (the fake Bot API has posted it and is slow to answer). Another
worker then sweeps and drains: every article reaches the channel, the one in flight at the
kill exactly once (its row is "uncertain" for an editor), and nothing is posted twice.
"""

from __future__ import annotations

import os
import signal
import time

from tests.channels.fake_telegram import TOKEN, FakeTelegram
from tests.newsletter.test_crash import worker_env  # noqa: F401 (the fixture)
from tests.newsletter.workers import shell

ARTICLES = 30
KILL_AT = 12  # the post in flight when the worker is killed

SEED = f"""
from wagtail.models import Page
from masthead.channels import services
from masthead.channels.models import TelegramChannel
from masthead.lib import fanout
from masthead.newsroom import services as newsroom
en = newsroom.ensure_locales(["en"])["en"]
if Page.get_first_root_node() is None:
    Page.add_root(instance=Page(title="Root", slug="root", locale=en))
home = newsroom.create_home(title="Crash Gazette", slug="home", locale=en)
section = newsroom.create_section(home=home, title="News", slug="news")
channel = TelegramChannel.objects.create(name="Gazette", chat_id="@gazette", language="en")
for i in range({ARTICLES}):
    with fanout.quiet():
        article = newsroom.create_article(
            section=section,
            draft=newsroom.ArticleDraft(title=f"Crash {{i}}", slug=f"crash-{{i}}", standfirst="S"),
        )
    services.post_article(article=article)
print(channel.pk)
"""

DRAIN = """
from masthead.channels import services
from masthead.channels.models import TelegramChannel
services.sweep()
services.deliver_channel(channel=TelegramChannel.objects.get(pk={pk}), batch=1000)
"""


def test_a_worker_killed_mid_batch_posts_nothing_twice(worker_env):  # noqa: F811
    env, connect = worker_env
    with FakeTelegram() as bot:
        env = {
            **env,
            "MASTHEAD_TASK_BACKEND": "database",  # queued, so only our workers post
            "MASTHEAD_TELEGRAM_BOT_TOKEN": TOKEN,
            "MASTHEAD_TELEGRAM_API_BASE": bot.base,
            "MASTHEAD_TELEGRAM_POSTS_PER_MINUTE": "600000",
            "MASTHEAD_TELEGRAM_TIMEOUT_SECONDS": "60",
        }
        seed = shell(SEED, env)
        out, err = seed.communicate(timeout=120)
        assert seed.returncode == 0, err
        channel_id = int(out.strip().splitlines()[-1])

        bot.state.script = [("ok",)] * (KILL_AT - 1) + [("slow",)]
        bot.state.slow_seconds = 30
        first = shell(DRAIN.format(pk=channel_id), env)
        deadline = time.monotonic() + 90
        while len(bot.state.posted) < KILL_AT:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first worker posted too little"
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)  # its request for post KILL_AT is on the wire
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL

        with connect() as db:
            in_flight = db.execute(
                "SELECT COUNT(*) FROM channels_delivery WHERE state = 'sending'"
            ).fetchone()[0]
            # Later, as the sweep will see it: the dead worker's request has long timed out.
            db.execute(
                "UPDATE channels_delivery SET claimed_at = '2000-01-01 00:00:00' "
                "WHERE state = 'sending'"
            )
        assert in_flight == 1

        second = shell(DRAIN.format(pk=channel_id), env)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err

    links = bot.state.links("@gazette")
    with connect() as db:
        states = dict(
            db.execute("SELECT state, COUNT(*) FROM channels_delivery GROUP BY state").fetchall()
        )
    print(  # noqa: T201 (the measured figures, shown with pytest -s)
        f"\nchannels crash test: {ARTICLES} articles, killed at post {KILL_AT}, "
        f"{len(links)} posts, {len(set(links))} distinct, states {states}"
    )
    assert len(links) == len(set(links)) == ARTICLES  # everyone once, nobody twice
    assert states == {"sent": ARTICLES - 1, "uncertain": 1}
