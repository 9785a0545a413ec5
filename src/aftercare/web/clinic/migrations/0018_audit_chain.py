# Migration.operations and .dependencies are lists by convention.
# ruff: noqa: RUF012
"""The audit log becomes a hash chain per clinic; PostgreSQL refuses UPDATE and DELETE on it.

Existing events are numbered and hashed in the order they happened (time, then id). The
trigger is per row, so TRUNCATE (a test database's flush) still empties the table.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from aftercare.web.clinic.audit_chain import GENESIS, HASHED_FIELDS, link_hash

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION aftercare_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER clinic_auditevent_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION aftercare_audit_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent;
DROP FUNCTION IF EXISTS aftercare_audit_append_only();
"""


def chain_existing(apps: Any, schema_editor: Any) -> None:
    # The historical model has no append-only guard, so rows can be filled in here.
    events = apps.get_model("clinic", "AuditEvent").objects.using(schema_editor.connection.alias)
    tails: dict[int, tuple[int, str]] = {}
    for event in events.order_by("at", "pk").iterator(chunk_size=2000):
        seq, previous = tails.get(event.clinic_id, (0, GENESIS))
        event.seq = seq + 1
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        event.chain_hash = link_hash(previous, values)
        event.save(update_fields=["seq", "chain_hash"])
        tails[event.clinic_id] = (event.seq, event.chain_hash)


def add_trigger(apps: Any, schema_editor: Any) -> None:
    _on_postgresql(schema_editor, APPEND_ONLY)


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    _on_postgresql(schema_editor, DROP_APPEND_ONLY)


def _on_postgresql(schema_editor: Any, sql: str) -> None:
    # A plain cursor, without parameters: the function's "%" is PL/pgSQL's, not a placeholder.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0017_reminder_retrying"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="clinic.patient",
            ),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("clinic", "seq"), name="audit_chain_seq"),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
