"""An index for "newest articles of one language", the order of every listing.

Without it, SQLite and PostgreSQL read every live page of the language and sort them, so
an article page slows down as the archive grows (bench/pages: 1.7x from 1k to 10k
articles). The index is on Wagtail's page table, which Masthead cannot declare indexes
on, hence raw SQL that both engines accept.
"""

from django.db import migrations

INDEX = "masthead_page_locale_published"


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON wagtailcore_page (locale_id, first_published_at DESC, id DESC)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
