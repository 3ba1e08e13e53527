"""The baseline of the page benchmark: a plain Wagtail page with the flagship's body.

A throwaway ``wagtail start`` project in a temporary folder, with two page types added:
an article page whose only content is a rich-text body (the demo flagship interview's body
as Masthead renders it, read from the demo's database at run time) and a home page that
lists its latest 20 children (title, link, description), the plain Wagtail way. SQLite,
Wagtail's production settings (DEBUG off, manifest static files), served by gunicorn with
the flags of ``masthead serve`` (src/masthead/cli.py serve()).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from masthead.cli import GUNICORN_FLAGS  # the flags of `masthead serve`, so both are alike

PROJECT = "barepage"
LISTED = 20  # children on the bare listing page, as many as Masthead's listings show

MODELS = '''
from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """Lists the latest children, as a plain Wagtail index page does."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = (
            self.get_children().live().order_by("-first_published_at")[:__LISTED__]
        )
        return context


class ArticlePage(Page):
    body = RichTextField()
'''.replace("__LISTED__", str(LISTED))

HOME_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block content %}
<h1>{{ page.title }}</h1>
<ul>
{% for child in children %}
  <li><a href="{% pageurl child %}">{{ child.title }}</a> {{ child.search_description }}</li>
{% endfor %}
</ul>
{% endblock content %}
"""

ARTICLE_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block content %}
<article>
<h1>{{ page.title }}</h1>
<p>{{ page.search_description }}</p>
{{ page.body|richtext }}
</article>
{% endblock content %}
"""

LOCAL_SETTINGS = """
SECRET_KEY = "bench-only-not-a-secret-bench-only-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""

POPULATE = """
import json
from home.models import ArticlePage, HomePage

data = json.load(open(%(path)r))
home = HomePage.objects.get(depth=2)
home.title = "Bare Wagtail"
home.save_revision().publish()
for n in range(%(listed)d):
    title = data["title"] if n == 0 else f"{data['title']} ({n})"
    slug = data["slug"] if n == 0 else f"{data['slug']}-{n}"
    page = home.add_child(instance=ArticlePage(
        title=title, slug=slug, body=data["body"], search_description=data["standfirst"]
    ))
    page.save_revision().publish()
print("BARE", page.get_parent().url, home.get_children().first().url)
"""


class BareProject:
    """Builds the project once; ``command`` and ``env`` serve it."""

    def __init__(self, folder: Path, python: Path) -> None:
        self.folder = folder
        self.python = python
        self.env = {
            "DJANGO_SETTINGS_MODULE": f"{PROJECT}.settings.production",
            "PATH": "/usr/bin:/bin",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.article = ""
        self.listing = "/"

    def build(self, content: dict[str, str]) -> None:
        """``content``: title, slug, standfirst and body (HTML) of the flagship."""
        self.folder.mkdir(parents=True)
        wagtail = self.python.parent / "wagtail"
        self._run([str(wagtail), "start", PROJECT, str(self.folder)])
        (self.folder / "home" / "models.py").write_text(MODELS)
        templates = self.folder / "home" / "templates" / "home"
        (templates / "home_page.html").write_text(HOME_TEMPLATE)
        (templates / "article_page.html").write_text(ARTICLE_TEMPLATE)
        (self.folder / PROJECT / "settings" / "local.py").write_text(LOCAL_SETTINGS)
        data = self.folder / "flagship.json"
        data.write_text(json.dumps(content))
        self._manage("makemigrations", "home", "--verbosity", "0")
        self._manage("migrate", "--noinput", "--verbosity", "0")
        self._manage("collectstatic", "--noinput", "--verbosity", "0")
        output = self._manage("shell", "-c", POPULATE % {"path": str(data), "listed": LISTED})
        line = next(x for x in output.splitlines() if x.startswith("BARE "))
        self.listing, self.article = line.split()[1:]

    def command(self, bind: str, workers: int) -> list[str]:
        return [
            str(self.python),
            "-m",
            "gunicorn",
            f"{PROJECT}.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            *GUNICORN_FLAGS,
        ]

    def _manage(self, *args: str) -> str:
        return self._run([str(self.python), "manage.py", *args])

    def _run(self, command: list[str]) -> str:
        result = subprocess.run(
            command,
            cwd=self.folder if self.folder.exists() else None,
            env=self.env,
            text=True,
            capture_output=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(
                f"bench: bare project: {' '.join(command[:3])} failed:\n{result.stderr[-3000:]}"
            )
        return result.stdout
