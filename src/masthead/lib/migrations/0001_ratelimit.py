"""The rate-limit counters (lib/ratelimit.py): a plain table, since lib has no models."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            sql=[
                "CREATE TABLE lib_ratelimit ("
                "counter varchar(200) NOT NULL PRIMARY KEY, "
                "hits integer NOT NULL, "
                "expires bigint NOT NULL)",
                "CREATE INDEX lib_ratelimit_expires ON lib_ratelimit (expires)",
            ],
            reverse_sql=["DROP TABLE lib_ratelimit"],
        ),
    ]
