from django.db import migrations

# A vote's stored result is part of the record (owners.md): the model refuses to save it twice
# or delete it, and on PostgreSQL the database itself refuses UPDATE and DELETE of the row, so
# neither a queryset update, the admin nor a raw query can rewrite a closed vote's tally.
# SQLite (local development) has only the model guard.
GUARD_SQL = """
CREATE OR REPLACE FUNCTION deliberation_voteresult_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a vote result is never changed (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS deliberation_voteresult_immutable ON deliberation_voteresult;
CREATE TRIGGER deliberation_voteresult_immutable
    BEFORE UPDATE OR DELETE ON deliberation_voteresult
    FOR EACH ROW EXECUTE FUNCTION deliberation_voteresult_guard();
"""
UNGUARD_SQL = """
DROP TRIGGER IF EXISTS deliberation_voteresult_immutable ON deliberation_voteresult;
DROP FUNCTION IF EXISTS deliberation_voteresult_guard();
"""


def _guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD_SQL, params=None)


def _unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0009_case_first_handlers"),
    ]

    operations = [
        migrations.RunPython(_guard, _unguard, elidable=False),
    ]
