"""Masthead's settings: one module, every knob an environment variable with a default.

The defaults run the demo on one machine with no services (SQLite, local memory cache,
console email). Integrations switch on when their variable is set. What production
requires is enforced by ``checks.py`` under ``manage.py check --deploy``.
"""

import importlib.util
import ipaddress
import os
import secrets
from collections.abc import MutableMapping
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()

MASTHEAD_ENV = env("MASTHEAD_ENV", default="development")  # development | test | production
TESTING = MASTHEAD_ENV == "test"
PRODUCTION = MASTHEAD_ENV == "production"


def _separate_test_worker(environ: MutableMapping[str, str]) -> None:
    """Give the pytest-xdist worker named in ``PYTEST_XDIST_WORKER`` ("gw0", "gw1", ...) its
    own data folder and Redis database.

    ``make test`` runs the suite on several workers at once. Every test empties the caches
    and many write media: sharing them, workers would clash. The environment is
    changed, not just the settings, so processes a test starts inherit it. pytest-django
    gives each worker its own test database already. Workers count Redis databases down
    from the suite's (13 in .ci/run), away from 14, which the scale-path test flushes.
    The processes a test starts are not workers: they keep what their worker chose.
    """
    worker = environ.pop("PYTEST_XDIST_WORKER")
    environ["MASTHEAD_DATA_DIR"] = str(Path(environ.get("MASTHEAD_DATA_DIR", "var")) / worker)
    if redis_url := environ.get("REDIS_URL"):
        parts = urlsplit(redis_url)
        database = int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw"))
        environ["REDIS_URL"] = parts._replace(path=f"/{database % 16}").geturl()


if TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
    _separate_test_worker(os.environ)

DATA_DIR = Path(env("MASTHEAD_DATA_DIR", default=str(BASE_DIR / "var"))).expanduser().resolve()


def _prepare_data_dir(path: Path) -> None:
    """Create the data folder, or fail with one line that names it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ImproperlyConfigured(f"MASTHEAD_DATA_DIR={path} is not a directory") from None
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MASTHEAD_DATA_DIR={path} cannot be created: {exc.strerror}"
        ) from None
    if not path.is_dir():
        raise ImproperlyConfigured(f"MASTHEAD_DATA_DIR={path} is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(f"MASTHEAD_DATA_DIR={path} is not writable")


def _generated_secret_key(path: Path) -> str:
    """A key generated once and kept in the data folder, so sessions survive restarts."""
    key_file = path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


_prepare_data_dir(DATA_DIR)
# The related-posts engine's fitted indexes (discovery/related_index.py): a cache of the
# database, rebuilt by `masthead manage rebuild_related`.
RELATED_INDEX_DIR = Path(env("MASTHEAD_RELATED_INDEX_DIR", default=str(DATA_DIR / "related")))

SECRET_KEY = env("MASTHEAD_SECRET_KEY", default="") or _generated_secret_key(DATA_DIR)
DEBUG = env.bool("MASTHEAD_DEBUG", default=False)
ALLOWED_HOSTS = env.list("MASTHEAD_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("MASTHEAD_CSRF_TRUSTED_ORIGINS", default=[])
BASE_URL = env(
    "MASTHEAD_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}"
).rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL

INSTALLED_APPS = [
    "masthead.lib",
    "masthead.newsroom",
    "masthead.discovery",
    "masthead.inbox",
    "masthead.audience",
    "masthead.newsletter",
    "masthead.funding",
    "masthead.channels",
    "masthead.theme",
    "masthead.demo",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.api.v2",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
]

MIDDLEWARE = [
    # First, so an oversized body is refused before anything reads it (issue 8).
    "masthead.lib.bodylimit.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Providers' and ESPs' posts to /webhooks/ go from here straight to their (CSRF-exempt)
    # view: the browser middleware below was a third of a webhook's time (issue 9).
    "masthead.lib.webhookpath.WebhookShortcutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so cached pages get conditional GET (304) and every
    # security header too.
    "django.middleware.http.ConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside conditional GET, so a 304 compares the compressed variant's own ETag; outside
    # the page cache, so a hit's compressed copy is kept per filled body (issue 14).
    "masthead.lib.compression.CompressionMiddleware",
    "masthead.lib.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that a 404 from the admin or another view outside i18n_patterns
    # stays a 404 instead of becoming a redirect to /en/... (lib/i18n.py).
    "masthead.lib.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware has checked the host: Wagtail's site for it, from memory.
    "masthead.newsroom.sites.SiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WEBHOOK_PATH_PREFIX = "/webhooks/"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite in the data folder unless DATABASE_URL names another engine.
_database_url = env("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'masthead.sqlite3'}")
_scheme = _database_url.partition("://")[0]
if _scheme not in {"sqlite", "postgres", "postgresql", "pgsql", "postgis"}:
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres:// (got {_scheme or 'nothing'}://)"
    )
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except (ImproperlyConfigured, KeyError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Masthead can use: {exc}"
    ) from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers and the worker run beside a writer; IMMEDIATE avoids
    # "database is locked" upgrades from read to write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        timeout=20,
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A webhook's statements (the insert, the drain check, a redelivery's read) are
    # prepared at their first run on a connection (inbox/services.py, issue 9); every
    # other query keeps client-side binding, which psycopg never prepares. Off for a
    # pooler that cannot keep prepared statements (PgBouncer in transaction mode before
    # 1.21 or without max_prepared_statements).
    if env.bool("MASTHEAD_PG_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
# Connections are kept between requests: opening one (and, on SQLite, running the pragmas
# above) cost more than a webhook's whole insert (issue 9's webhook benchmark).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("MASTHEAD_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

try:
    _default_cache = env.cache("REDIS_URL", default="locmemcache://")
except (ImproperlyConfigured, KeyError, ValueError) as exc:
    raise ImproperlyConfigured(f"REDIS_URL is not a cache URL Masthead can use: {exc}") from None
if _default_cache["BACKEND"].endswith("LocMemCache"):
    # Each process's own memory when there is no Redis. Django's 300 entries were filled by
    # one busy minute of searches (ten result frames each), evicting the site, settings and
    # navigation every page reads: a kept search then cost as much as an uncached one
    # (bench/search.py). 5,000 entries of a few kilobytes at most stay a few megabytes.
    _default_cache.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
# Full pages live in a cache every process shares (gunicorn workers, the task worker that
# publishes scheduled pages), so an invalidation reaches them all: Redis when there is
# one, else files in the data folder. Tests use memory, cleared between tests.
if env("REDIS_URL", default=""):
    _pages_cache = {**_default_cache, "KEY_PREFIX": "pages"}
elif TESTING:
    _pages_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
    }
else:
    _pages_cache = {
        "BACKEND": "masthead.lib.filecache.SampledCullFileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "pages"),
        # Up to five entries per article: its page, a compressed copy of it per coding
        # (lib/compression.py), its related-posts fragment and the tag its pages depend on
        # (lib/pagecache.py); and each card of it a listing drew (theme/cards.py), for the
        # other workers. Culling one evicts at random.
        "OPTIONS": {"MAX_ENTRIES": 150_000},
    }
CACHES = {"default": _default_cache, "pages": _pages_cache}
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_ENABLED = env.bool("MASTHEAD_PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("MASTHEAD_PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_SHARED_SECONDS = env.int("MASTHEAD_PAGE_CACHE_SHARED_SECONDS", default=5)
# How long after a page is found stale (a publish changed it) it may still be served to
# readers who arrive while another reader's request re-renders it (lib/pagecache.py); 0
# turns stale-while-revalidate off. Off in tests, where a reader arriving during a render
# is rare; the page cache's and invalidation's own tests turn it on.
PAGE_CACHE_STALE_SECONDS = env.int(
    "MASTHEAD_PAGE_CACHE_STALE_SECONDS", default=0 if TESTING else 30
)
PAGE_CACHE_EXCLUDED_PREFIXES = ("/admin/", "/documents/", "/media/", "/static/")
PAGE_CACHE_BYPASS_COOKIES = ("sessionid", "messages")
# Paths whose responses are never compressed, whatever their headers (BREACH,
# lib/compression.py): the admin and webhooks, and readers' account and newsletter pages,
# whose URLs and forms carry tokens.
COMPRESSION_EXCLUDED_PATHS = (
    r"^/(admin|documents|webhooks|newsletter)/|^/[a-z]{2}(-[a-z0-9]+)?/(account|newsletter)/"
)
# Rate-limit counters (lib/ratelimit.py) are shared by every process and counted atomically:
# in Redis when there is one, else in a table of the database (issue 8).
RATELIMIT_REDIS_URL = env("REDIS_URL", default="")

# Background work: the database queue by default; RQ on Redis at scale.
TASK_BACKEND = env("MASTHEAD_TASK_BACKEND", default="immediate" if TESTING else "database")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "masthead.lib.rq_backend.RQBackend",  # holds a task back until the commit
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"MASTHEAD_TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)} (got {TASK_BACKEND!r})"
    )
# django-tasks 0.12 has no ENQUEUE_ON_COMMIT: the database backend's job row commits with
# the transaction, and Masthead's RQ backend waits for the commit (lib/rq_backend.py).
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND]}}
# Days a finished task's row is kept before the scheduler purges it (lib/taskresults.py).
TASK_RETENTION_DAYS = env.int("MASTHEAD_TASK_RETENTION_DAYS", default=7)
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": env("REDIS_URL", default="redis://127.0.0.1:6379/0"),
            # RQ kills a job after 180 s by default: a newsletter edition to a large list
            # takes longer. A killed send is resumed from its ledger by the scheduler, but
            # each kill may cost one duplicate, so give jobs an hour.
            "DEFAULT_TIMEOUT": env.int("MASTHEAD_RQ_JOB_TIMEOUT", default=3600),
        }
    }

vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("MASTHEAD_FROM_EMAIL", default="Masthead <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# DKIM (lib/dkim_backend.py): with a key file, everything sent over SMTP is signed, List-*
# headers included (RFC 8058 §4). checks.py reports a missing or unreadable key.
DKIM_PRIVATE_KEY_FILE = env("MASTHEAD_DKIM_PRIVATE_KEY_FILE", default="")
DKIM_SELECTOR = env("MASTHEAD_DKIM_SELECTOR", default="")
DKIM_DOMAIN = env("MASTHEAD_DKIM_DOMAIN", default="")  # empty: each message's From domain
# Sending through an ESP's HTTP API instead of SMTP (django-anymail): MASTHEAD_EMAIL_ESP
# names the ESP (postmark, mailgun, sendgrid, amazon_ses, brevo, resend, sparkpost, ...).
EMAIL_ESP = env("MASTHEAD_EMAIL_ESP", default="")
if EMAIL_ESP:
    if not EMAIL_ESP.isidentifier() or not importlib.util.find_spec(
        f"anymail.backends.{EMAIL_ESP}"
    ):
        raise ImproperlyConfigured(
            f"MASTHEAD_EMAIL_ESP={EMAIL_ESP!r} is not an ESP django-anymail knows "
            "(see anymail/backends for the names)"
        )
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_ESP}.EmailBackend"
_smtp_backend = "django.core.mail.backends.smtp.EmailBackend"
if DKIM_PRIVATE_KEY_FILE and vars()["EMAIL_BACKEND"] == _smtp_backend:
    EMAIL_BACKEND = "masthead.lib.dkim_backend.DKIMEmailBackend"
# Bounces and complaints: ESPs post to /webhooks/email/<esp>/tracking/ (newsletter/
# webhook_urls.py) with HTTP basic auth "user:password" = this secret; off while it is empty.
ANYMAIL = {"WEBHOOK_SECRET": env("MASTHEAD_ANYMAIL_WEBHOOK_SECRET", default="")}
if env("MASTHEAD_MAILGUN_WEBHOOK_SIGNING_KEY", default=""):
    # Mailgun also signs each post (HMAC); anymail checks it when this key is set.
    ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] = env("MASTHEAD_MAILGUN_WEBHOOK_SIGNING_KEY")
# Each ESP has its own settings (POSTMARK_SERVER_TOKEN, MAILGUN_API_KEY, ...): any
# MASTHEAD_ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], so none needs code here.
ANYMAIL.update(
    {
        name.removeprefix("MASTHEAD_ANYMAIL_"): value
        for name, value in os.environ.items()
        if name.startswith("MASTHEAD_ANYMAIL_") and name != "MASTHEAD_ANYMAIL_WEBHOOK_SECRET"
    }
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Languages: English and Spanish ship; Wagtail's locales mirror Django's.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("MASTHEAD_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Media: the local folder, or S3-compatible storage when MASTHEAD_S3_BUCKET is set
# (needs the "s3" extra: django-storages with boto3; credentials from the usual AWS_* vars).
S3_BUCKET = env("MASTHEAD_S3_BUCKET", default="")
STATIC_ROOT = Path(env("MASTHEAD_STATIC_ROOT", default=str(DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MASTHEAD_MEDIA_ROOT", default=str(DATA_DIR / "media")))
SERVE_MEDIA = env.bool("MASTHEAD_SERVE_MEDIA", default=not S3_BUCKET)
# Documents go only through Wagtail's /documents/ view, which checks collection privacy:
# never a redirect to the bucket, and never /media/documents/ (urls.py, nginx.conf).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if S3_BUCKET
        else "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("MASTHEAD_S3_ENDPOINT_URL", default=None),
            "custom_domain": env("MASTHEAD_S3_CUSTOM_DOMAIN", default=None),
        }
        if S3_BUCKET
        else {},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING or DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing

WAGTAIL_SITE_NAME = env("MASTHEAD_SITE_NAME", default="Masthead")
# Masthead pins Wagtail (uv.lock): "a new Wagtail is out" and its release-notes banner are
# not something an operator can act on, and the check calls a third-party host from every
# administrator's browser. theme/wagtail_hooks.py hides the other framework notices.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No Gravatar: an editor's avatar would be fetched from a third party on every admin page,
# telling it who works here and when (and failing on a closed network). Uploaded avatars
# still show.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Search: the database's own full text (SQLite FTS5 / PostgreSQL) unless SEARCH_URL names
# an OpenSearch or Elasticsearch server, e.g. opensearch3+https://user:pass@host:9200.
_search_url = env("SEARCH_URL", default="")
if _search_url:
    _engine, _, _location = _search_url.partition("+")
    if _engine not in {"opensearch2", "opensearch3", "elasticsearch8", "elasticsearch9"}:
        raise ImproperlyConfigured(
            "SEARCH_URL must look like opensearch3+https://host:9200 "
            "(opensearch2, opensearch3, elasticsearch8 or elasticsearch9)"
        )
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{_engine}",
            "URLS": [_location],
            "INDEX": env("SEARCH_INDEX", default="masthead"),
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# The site search page ranks in the database's own full text (discovery/search_engines:
# FTS5 on SQLite, tsvector on PostgreSQL) unless SEARCH_URL is set. Searches the results
# cache cannot answer, per minute per client address (lib/ratelimit.py); 0: no limit.
SEARCH_RATE_LIMIT = env.int("MASTHEAD_SEARCH_RATE_LIMIT", default=30)
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# AVIF at 55 looks like WebP at Wagtail's 80 and JPEG at its 85 at about two thirds of
# WebP's bytes; Wagtail's AVIF default (80) made photographs heavier than WebP (issue 14).
WAGTAILIMAGES_AVIF_QUALITY = 55
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAIL_ALLOW_UNICODE_SLUGS = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Request bodies (issue 8), refused with 413 before they are read (lib/bodylimit.py). Reader
# forms need kilobytes, ESP webhooks post batches of up to 768 KB (SendGrid); only the admin
# takes uploads (images up to Wagtail's 10 MB, documents, the 5 MB CSV import).
MAX_BODY_BYTES = env.int("MASTHEAD_MAX_BODY_BYTES", default=1024 * 1024)
ADMIN_MAX_BODY_BYTES = env.int("MASTHEAD_ADMIN_MAX_BODY_BYTES", default=20 * 1024 * 1024)
# How many web processes serve the site: `masthead serve` starts this many gunicorn workers
# unless --workers says otherwise, and checks.py warns when they share no cache.
WEB_WORKERS = env.int("MASTHEAD_WEB_WORKERS", default=env.int("WEB_CONCURRENCY", default=2))
# Threads per web worker (gunicorn's gthread past 1). On PostgreSQL a request waits for the
# database: round trips to its machine, and each commit reaching its disk (3.5 ms when the
# CI machine's disk was busy, 0.24 ms idle). With threads a worker serves other requests
# meanwhile (docs/deploy/scale.md has the figures). Four on PostgreSQL; one on SQLite, which
# has one writer anyway and whose queries wait on nothing (threads would only share the GIL).
WEB_THREADS = env.int(
    "MASTHEAD_WEB_THREADS",
    default=1 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 4,
)
# The inbox of outside events (inbox/services.py): how long raw payloads are kept, and how
# often a failed event is tried again (the wait doubles each time) before an editor must.
INBOX_RETENTION_DAYS = env.int("MASTHEAD_INBOX_RETENTION_DAYS", default=90)
INBOX_MAX_ATTEMPTS = env.int("MASTHEAD_INBOX_MAX_ATTEMPTS", default=8)
INBOX_RETRY_SECONDS = env.int("MASTHEAD_INBOX_RETRY_SECONDS", default=60)

for _name, _value in [
    ("MASTHEAD_INBOX_RETENTION_DAYS", INBOX_RETENTION_DAYS),
    ("MASTHEAD_INBOX_MAX_ATTEMPTS", INBOX_MAX_ATTEMPTS),
    ("MASTHEAD_INBOX_RETRY_SECONDS", INBOX_RETRY_SECONDS),
    ("MASTHEAD_MAX_BODY_BYTES", MAX_BODY_BYTES),
    ("MASTHEAD_ADMIN_MAX_BODY_BYTES", ADMIN_MAX_BODY_BYTES),
    ("MASTHEAD_WEB_WORKERS", WEB_WORKERS),
    ("MASTHEAD_WEB_THREADS", WEB_THREADS),
    ("MASTHEAD_TASK_RETENTION_DAYS", TASK_RETENTION_DAYS),
]:
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1 (got {_value})")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("MASTHEAD_LOG_LEVEL", default="WARNING")},
}

# Admin sign-in is rate limited by django-axes: after 5 failures from one address, or for
# one account, further attempts are refused for 15 minutes with a clear message.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("MASTHEAD_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("MASTHEAD_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "theme/locked_out.html"
# The client address is REMOTE_ADDR unless the operator says how many proxies stand in
# front: a client can write any X-Forwarded-For it likes (RELIABILITY.md, dj-stripe lesson).
TRUSTED_PROXY_COUNT = env.int("MASTHEAD_TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


def _media_origins() -> list[str]:
    """Where image renditions are loaded from when they live in a bucket (S3 storage)."""
    if not S3_BUCKET:
        return []
    options = STORAGES["default"]["OPTIONS"]
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    if options["endpoint_url"]:  # an S3-compatible service: its URLs start with it
        parts = urlsplit(options["endpoint_url"])
        return [f"{parts.scheme}://{parts.netloc}"]
    return [f"https://{S3_BUCKET}.s3.amazonaws.com"]


# Reader pages allow no inline or third-party script; the admin (Wagtail's own scripts)
# keeps Django's other protections.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_media_origins()],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["https:"],  # embeds (video, audio) are iframes from their providers
        "media-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    ]
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production hardening; checks.py reports what is still missing under --deploy.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("MASTHEAD_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("MASTHEAD_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Newsletter sending (newsletter/services.py). A row claimed for sending longer ago than
# NEWSLETTER_CLAIM_SECONDS is taken to belong to a dead worker and is sent again: that is
# the duplicate window, so it must exceed the SMTP timeout (a live send never takes longer).
EMAIL_TIMEOUT = env.int("MASTHEAD_EMAIL_TIMEOUT", default=30)
NEWSLETTER_CLAIM_SECONDS = env.int("MASTHEAD_NEWSLETTER_CLAIM_SECONDS", default=3 * EMAIL_TIMEOUT)
NEWSLETTER_BATCH_SIZE = env.int("MASTHEAD_NEWSLETTER_BATCH_SIZE", default=200)
NEWSLETTER_SEND_RATE = env.float("MASTHEAD_NEWSLETTER_SEND_RATE", default=0)  # msgs/s; 0: no cap
NEWSLETTER_MAX_ATTEMPTS = env.int("MASTHEAD_NEWSLETTER_MAX_ATTEMPTS", default=5)
NEWSLETTER_RETRY_SECONDS = env.int("MASTHEAD_NEWSLETTER_RETRY_SECONDS", default=60)
NEWSLETTER_STALE_HOURS = env.int("MASTHEAD_NEWSLETTER_STALE_HOURS", default=24)
NEWSLETTER_UNSUBSCRIBE_EMAIL = env("MASTHEAD_NEWSLETTER_UNSUBSCRIBE_EMAIL", default="")


# Newsletter sign-up (issue 4): attempts per hour, per address and per client address.
SIGNUP_LIMIT_PER_ADDRESS = env.int("MASTHEAD_SIGNUP_LIMIT_PER_ADDRESS", default=3)
SIGNUP_LIMIT_PER_IP = env.int("MASTHEAD_SIGNUP_LIMIT_PER_IP", default=10)
# Reader sign-in and email change links (issue 4): requests per hour, per address and per
# client address. Both send email, so both are limited like sign-up.
SIGN_IN_LIMIT_PER_ADDRESS = env.int("MASTHEAD_SIGN_IN_LIMIT_PER_ADDRESS", default=3)
SIGN_IN_LIMIT_PER_IP = env.int("MASTHEAD_SIGN_IN_LIMIT_PER_IP", default=10)


# Reader revenue (funding app, issue 9). MASTHEAD_PAYMENT_PROVIDERS names the currencies the
# publication takes and which provider takes each: "PEN:mercadopago,USD:stripe,EUR:stripe";
# "USD:stripe|mercadopago" lets the reader choose. "local" is the on-site test provider: the
# demo and the tests use it with no keys, every page says "test mode" while it is on, and
# production refuses it unless MASTHEAD_PAYMENTS_ALLOW_TEST_MODE is set.
def _payment_providers(text: str) -> dict[str, list[str]]:
    from masthead.lib.money import EXPONENTS

    known = {"local", "stripe", "mercadopago"}
    providers: dict[str, list[str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        currency, _, names = item.partition(":")
        currency = currency.strip().upper()
        chosen = [name.strip() for name in names.split("|") if name.strip()]
        if currency not in EXPONENTS:
            raise ImproperlyConfigured(
                f"MASTHEAD_PAYMENT_PROVIDERS: unknown currency {currency!r}"
            )
        if not chosen or set(chosen) - known:
            raise ImproperlyConfigured(
                f"MASTHEAD_PAYMENT_PROVIDERS: {item!r} must name one or more of "
                f"{', '.join(sorted(known))}"
            )
        providers[currency] = chosen
    return providers


PAYMENT_PROVIDERS = _payment_providers(
    env(
        "MASTHEAD_PAYMENT_PROVIDERS",
        default="" if PRODUCTION else "USD:local,EUR:local,PEN:local",
    )
)
PAYMENTS_ALLOW_TEST_MODE = env.bool("MASTHEAD_PAYMENTS_ALLOW_TEST_MODE", default=not PRODUCTION)
PAYMENTS_TEST_MODE = any("local" in names for names in PAYMENT_PROVIDERS.values())
if PAYMENTS_TEST_MODE and not PAYMENTS_ALLOW_TEST_MODE:
    raise ImproperlyConfigured(
        "MASTHEAD_PAYMENT_PROVIDERS names the local test provider, which takes no money: "
        "set MASTHEAD_PAYMENTS_ALLOW_TEST_MODE=true to run it in production on purpose."
    )
# One-off gifts: the preset buttons and the bounds of a typed amount, in major units.
DONATION_PRESETS = env.list("MASTHEAD_DONATION_PRESETS", cast=int, default=[10, 25, 50, 100])
DONATION_MIN = env.int("MASTHEAD_DONATION_MIN", default=2)
DONATION_MAX = env.int("MASTHEAD_DONATION_MAX", default=10_000)
# Checkouts a client address may start per hour (each creates a session at the provider:
# a bot must not create thousands, nor test stolen cards through the support page).
CHECKOUT_LIMIT_PER_IP = env.int("MASTHEAD_CHECKOUT_LIMIT_PER_IP", default=30)
# A member whose payment failed keeps access this long while the provider retries.
MEMBERSHIP_GRACE_DAYS = env.int("MASTHEAD_MEMBERSHIP_GRACE_DAYS", default=7)
# Annual members hear this many days before the renewal charge.
RENEWAL_REMINDER_DAYS = env.int("MASTHEAD_RENEWAL_REMINDER_DAYS", default=7)
# Webhook timestamps further than this from our clock, either way, are refused.
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = env.int(
    "MASTHEAD_PAYMENT_WEBHOOK_TOLERANCE_SECONDS", default=300
)
# How long the campaign banner on cached pages may lag behind the ledger.
CAMPAIGN_BANNER_SECONDS = env.int("MASTHEAD_CAMPAIGN_BANNER_SECONDS", default=60)
STRIPE_SECRET_KEY = env("MASTHEAD_STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("MASTHEAD_STRIPE_WEBHOOK_SECRET", default="")
# Only for a local stand-in of Stripe's API (the tests and benchmarks): never in production.
STRIPE_API_BASE = env("MASTHEAD_STRIPE_API_BASE", default="")
MERCADOPAGO_ACCESS_TOKEN = env("MASTHEAD_MERCADOPAGO_ACCESS_TOKEN", default="")
MERCADOPAGO_WEBHOOK_SECRET = env("MASTHEAD_MERCADOPAGO_WEBHOOK_SECRET", default="")
MERCADOPAGO_API_BASE = env("MASTHEAD_MERCADOPAGO_API_BASE", default="")

for _name, _value in [
    ("MASTHEAD_DONATION_MIN", DONATION_MIN),
    ("MASTHEAD_DONATION_MAX", DONATION_MAX),
    ("MASTHEAD_PAYMENT_WEBHOOK_TOLERANCE_SECONDS", PAYMENT_WEBHOOK_TOLERANCE_SECONDS),
    ("MASTHEAD_CAMPAIGN_BANNER_SECONDS", CAMPAIGN_BANNER_SECONDS),
    ("MASTHEAD_CHECKOUT_LIMIT_PER_IP", CHECKOUT_LIMIT_PER_IP),
]:
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1 (got {_value})")
if DONATION_MAX < DONATION_MIN:
    raise ImproperlyConfigured("MASTHEAD_DONATION_MAX must not be below MASTHEAD_DONATION_MIN")

# Telegram (masthead.channels): nothing is posted without a bot token. The channels are
# configured in the admin; MASTHEAD_TELEGRAM_CHANNELS="en:@name,es:@name_es" creates them.
TELEGRAM_BOT_TOKEN = env("MASTHEAD_TELEGRAM_BOT_TOKEN", default="")
# A self-hosted Bot API server (telegram-bot-api) instead of Telegram's, or a test stand-in.
TELEGRAM_API_BASE = env("MASTHEAD_TELEGRAM_API_BASE", default="https://api.telegram.org").rstrip(
    "/"
)
# Telegram allows a bot about 20 messages a minute in one channel; the bench raises it.
TELEGRAM_POSTS_PER_MINUTE = env.int("MASTHEAD_TELEGRAM_POSTS_PER_MINUTE", default=20)
# How long one Bot API call may take before its outcome counts as unknown.
TELEGRAM_TIMEOUT_SECONDS = env.float("MASTHEAD_TELEGRAM_TIMEOUT_SECONDS", default=15.0)
TELEGRAM_CHANNELS: list[tuple[str, str]] = []
for _item in env.list("MASTHEAD_TELEGRAM_CHANNELS", default=[]):
    _language, _, _chat = _item.strip().partition(":")
    _chat = _chat.strip()
    if _language.strip() not in dict(LANGUAGES) or not (
        (_chat.startswith("@") and len(_chat) > 1) or _chat.lstrip("-").isdigit()
    ):
        raise ImproperlyConfigured(
            "MASTHEAD_TELEGRAM_CHANNELS items are language:@channel (languages "
            f"{', '.join(dict(LANGUAGES))}); got {_item.strip()!r}"
        )
    TELEGRAM_CHANNELS.append((_language.strip(), _chat))
if TELEGRAM_POSTS_PER_MINUTE < 1 or TELEGRAM_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured(
        "MASTHEAD_TELEGRAM_POSTS_PER_MINUTE and MASTHEAD_TELEGRAM_TIMEOUT_SECONDS must be positive"
    )

# WhatsApp opt-in updates (masthead.channels.whatsapp, docs/channels.md): off, with no
# field on the account page, until the token, the phone number id and the app secret are
# all set (without the secret the webhook cannot take a reader's STOP, so nothing is sent).
WHATSAPP_TOKEN = env("MASTHEAD_WHATSAPP_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env("MASTHEAD_WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_APP_SECRET = env("MASTHEAD_WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env("MASTHEAD_WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_API_BASE = env(
    "MASTHEAD_WHATSAPP_API_BASE", default="https://graph.facebook.com/v21.0"
).rstrip("/")
# The approved "headline + link" template ({{1}} headline, {{2}} link), and the digest's
# ({{1}} headline, {{2}} link, {{3}} how many more articles). Per site language, a name of
# its own (MASTHEAD_WHATSAPP_TEMPLATE_ES=...) and the template's language code at Meta.
WHATSAPP_TEMPLATE = env("MASTHEAD_WHATSAPP_TEMPLATE", default="new_article")
WHATSAPP_DIGEST_TEMPLATE = env("MASTHEAD_WHATSAPP_DIGEST_TEMPLATE", default="daily_digest")
WHATSAPP_TEMPLATES: dict[str, tuple[str, str]] = {}
WHATSAPP_DIGEST_TEMPLATES: dict[str, tuple[str, str]] = {}
_wa_codes = dict(
    _item.strip().partition(":")[::2]
    for _item in env.list("MASTHEAD_WHATSAPP_TEMPLATE_LANGUAGES", default=["en:en", "es:es"])
)
for _code, _name in LANGUAGES:
    _suffix = _code.upper().replace("-", "_")
    WHATSAPP_TEMPLATES[_code] = (
        env(f"MASTHEAD_WHATSAPP_TEMPLATE_{_suffix}", default=WHATSAPP_TEMPLATE),
        _wa_codes.get(_code, _code).strip() or _code,
    )
    WHATSAPP_DIGEST_TEMPLATES[_code] = (
        env(f"MASTHEAD_WHATSAPP_DIGEST_TEMPLATE_{_suffix}", default=WHATSAPP_DIGEST_TEMPLATE),
        WHATSAPP_TEMPLATES[_code][1],
    )
# Marketing template messages are billed: at this many in a calendar month (TIME_ZONE)
# nothing more is sent, and the rest are marked "over budget" for editors to see.
WHATSAPP_MONTHLY_BUDGET = env.int("MASTHEAD_WHATSAPP_MONTHLY_BUDGET", default=1000)
WHATSAPP_PER_SECOND = env.float("MASTHEAD_WHATSAPP_PER_SECOND", default=10.0)
WHATSAPP_TIMEOUT_SECONDS = env.float("MASTHEAD_WHATSAPP_TIMEOUT_SECONDS", default=15.0)
# When the daily digest goes out (local time, TIME_ZONE), listing the day's articles.
WHATSAPP_DIGEST_HOUR = env.int("MASTHEAD_WHATSAPP_DIGEST_HOUR", default=18)
if WHATSAPP_MONTHLY_BUDGET < 0 or WHATSAPP_PER_SECOND <= 0 or WHATSAPP_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured(
        "MASTHEAD_WHATSAPP_MONTHLY_BUDGET must be 0 or more, MASTHEAD_WHATSAPP_PER_SECOND "
        "and MASTHEAD_WHATSAPP_TIMEOUT_SECONDS positive"
    )
if not 0 <= WHATSAPP_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured("MASTHEAD_WHATSAPP_DIGEST_HOUR is an hour, 0 to 23")

# The content API at /api/v2/ (discovery/api.py, docs/api.md): requests per minute per
# client address, counted across processes like every other limit (lib/ratelimit.py).
CONTENT_API_RATE_LIMIT = env.int("MASTHEAD_CONTENT_API_RATE_LIMIT", default=120)
WAGTAILAPI_BASE_URL = BASE_URL
WAGTAILAPI_LIMIT_MAX = 50

# Outgoing webhooks (channels/webhooks, docs/channels.md). Endpoints are set in the admin.
# In production no request reaches a loopback, private or link-local address (lib/ssrf.py),
# unless its network is named in MASTHEAD_WEBHOOKS_ALLOWED_NETWORKS ("192.168.1.0/24,...").
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "MASTHEAD_WEBHOOKS_ALLOW_PRIVATE", default=not PRODUCTION
)
try:
    WEBHOOK_ALLOWED_NETWORKS = [
        ipaddress.ip_network(_net.strip(), strict=False)
        for _net in env.list("MASTHEAD_WEBHOOKS_ALLOWED_NETWORKS", default=[])
        if _net.strip()
    ]
except ValueError as _error:
    raise ImproperlyConfigured(f"MASTHEAD_WEBHOOKS_ALLOWED_NETWORKS: {_error}") from None
WEBHOOK_TIMEOUT_SECONDS = env.float("MASTHEAD_WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# Failed attempts in a row (over every message) after which an endpoint is disabled.
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("MASTHEAD_WEBHOOKS_DISABLE_AFTER_FAILURES", default=20)
if WEBHOOK_TIMEOUT_SECONDS <= 0 or WEBHOOK_DISABLE_AFTER_FAILURES < 1:
    raise ImproperlyConfigured(
        "MASTHEAD_WEBHOOKS_TIMEOUT_SECONDS and MASTHEAD_WEBHOOKS_DISABLE_AFTER_FAILURES "
        "must be positive"
    )
