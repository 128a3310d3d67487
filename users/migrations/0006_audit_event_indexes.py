"""Indexes for the audit log's page and search as it grows to millions of events.

* ``audit_newest_first`` (at DESC, id DESC): the page walks the log newest first and stops after
  one page (cursor pagination, no COUNT), in exactly the order it shows.
* On PostgreSQL only, ``pg_trgm`` and trigram GIN indexes on ``UPPER(...)`` of the three columns
  the ``search`` filter reads (object, basis, username). Django writes ``icontains`` as
  ``UPPER(col::text) LIKE UPPER('%…%')``, which these indexes answer, so a search no longer reads
  the whole table. They are not in the model's state (SQLite has no such index, and rebuilding
  the table there must not try to create them); other databases skip this step.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SEARCHED = ("object_repr", "basis", "actor_username")


def _name(column: str) -> str:
    return f"audit_{column}_trgm"


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(column)} ON users_auditevent "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_sign_in_audit_actions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["-at", "-id"], name="audit_newest_first"),
        ),
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
