"""On PostgreSQL, refuse UPDATE and DELETE on audit events at the database itself.

The model already refuses them; the trigger also stops raw SQL and other clients. SQLite (the
embedded demo) relies on the model guard only.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kinga_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION kinga_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS kinga_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
