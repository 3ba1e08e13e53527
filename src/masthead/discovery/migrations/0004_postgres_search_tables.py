"""PostgreSQL's search index moves out of the documents table into two narrow tables.

Nothing happens on SQLite. On PostgreSQL, matching and ranking read the documents table's
rows, which hold the whole body: 2.6 KB a row, three to a page. Finding the newest 2,001
matches of a word in 5 % of 100,000 articles visited 3,400 pages (or decompressed 35,000
vectors walking the primary key), 70-130 ms a query (bench/README.md, "PostgreSQL:
narrow tables and a chosen plan"). Now:

- ``discovery_search_match``: what matching reads, the filters and the full vector, the
  vector stored out of line (``toast_tuple_target`` 128, no compression), so a row is
  about 80 bytes and 100,000 of them fit in about 1,000 pages;
- ``discovery_search_rank``: what ranking reads, the small vector of headline, standfirst
  and names, kept in line.

The engine fills both after writing the documents (search_engines/postgres.py);
triggers empty them with the documents, as SQLite's triggers do for FTS5, including on
TRUNCATE (a foreign key would refuse Django's flush, which truncates the documents table
alone).
"""

from django.db import migrations

POSTGRES_UP = [
    """CREATE TABLE discovery_search_match (
        article_id integer PRIMARY KEY,
        language varchar(12) NOT NULL,
        section_id integer NOT NULL,
        kind varchar(20) NOT NULL,
        published_at timestamptz,
        vector tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)""",
    "ALTER TABLE discovery_search_match ALTER COLUMN vector SET STORAGE EXTERNAL",
    """CREATE TABLE discovery_search_rank (
        article_id integer PRIMARY KEY,
        published_at timestamptz,
        head tsvector NOT NULL
    )""",
    """INSERT INTO discovery_search_match
        SELECT article_id, language, section_id, kind, published_at, vector
        FROM discovery_searchdocument WHERE vector IS NOT NULL""",
    """INSERT INTO discovery_search_rank
        SELECT article_id, published_at, head
        FROM discovery_searchdocument WHERE head IS NOT NULL""",
    """CREATE INDEX discovery_search_match_vector
        ON discovery_search_match USING GIN (vector)""",
    "DROP INDEX IF EXISTS discovery_search_vector",
    "ALTER TABLE discovery_searchdocument DROP COLUMN IF EXISTS vector",
    "ALTER TABLE discovery_searchdocument DROP COLUMN IF EXISTS head",
    """CREATE FUNCTION discovery_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE discovery_search_match, discovery_search_rank;
        ELSE
            DELETE FROM discovery_search_match WHERE article_id = OLD.article_id;
            DELETE FROM discovery_search_rank WHERE article_id = OLD.article_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER discovery_search_forget_row AFTER DELETE ON discovery_searchdocument
        FOR EACH ROW EXECUTE FUNCTION discovery_search_forget()""",
    """CREATE TRIGGER discovery_search_forget_all AFTER TRUNCATE ON discovery_searchdocument
        FOR EACH STATEMENT EXECUTE FUNCTION discovery_search_forget()""",
    "ANALYZE discovery_search_match",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS discovery_search_forget_all ON discovery_searchdocument",
    "DROP TRIGGER IF EXISTS discovery_search_forget_row ON discovery_searchdocument",
    "DROP FUNCTION IF EXISTS discovery_search_forget()",
    "ALTER TABLE discovery_searchdocument ADD COLUMN vector tsvector",
    "ALTER TABLE discovery_searchdocument ADD COLUMN head tsvector",
    """UPDATE discovery_searchdocument d SET vector = m.vector, head = r.head
        FROM discovery_search_match m, discovery_search_rank r
        WHERE m.article_id = d.article_id AND r.article_id = d.article_id""",
    "CREATE INDEX discovery_search_vector ON discovery_searchdocument USING GIN (vector)",
    "DROP TABLE IF EXISTS discovery_search_rank",
    "DROP TABLE IF EXISTS discovery_search_match",
]


def _up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_UP:
            schema_editor.execute(statement)


def _down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0003_search_filters_index"),
    ]

    operations = [
        migrations.RunPython(_up, _down),
    ]
