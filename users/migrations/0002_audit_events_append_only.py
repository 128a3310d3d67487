"""On PostgreSQL, refuse UPDATE and DELETE of audit events in the database itself.

The model and its queryset already refuse; this holds against raw SQL and any other client.
SQLite (the embedded default) relies on the model alone. TRUNCATE stays possible for the table's
owner (test databases are flushed with it); run the app as a role that does not own the tables
to take that away too.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION users_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_auditevent_append_only
    BEFORE UPDATE OR DELETE ON users_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION users_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS users_auditevent_append_only ON users_auditevent;
DROP FUNCTION IF EXISTS users_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL has a literal %


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
