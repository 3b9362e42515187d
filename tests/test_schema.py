"""schema.sql is generated from the models and must not drift from them."""
from pathlib import Path

import pytest

from centrex.cli.core import schema_sql

pytestmark = pytest.mark.smoke


def test_schema_sql_is_up_to_date(app):
    with app.app_context():
        generated = schema_sql()
    committed = (Path(__file__).resolve().parents[1] / "schema.sql").read_text()
    assert committed == generated, "schema.sql is stale: run `make schema` (flask dump-schema -o schema.sql)"


@pytest.mark.postgres
def test_schema_sql_loads_into_postgresql(app, session):
    from sqlalchemy import text

    sql = "\n".join(line for line in schema_sql().splitlines() if not line.startswith("--"))
    statements = [s for s in sql.split(";\n") if s.strip()]
    session.execute(text("CREATE SCHEMA schema_check"))
    session.execute(text("SET LOCAL search_path TO schema_check"))
    for statement in statements:
        session.execute(text(statement))
    kinds = dict(session.execute(text(
        "SELECT table_type, count(*) FROM information_schema.tables WHERE table_schema = 'schema_check'"
        " GROUP BY table_type")).all())
    assert kinds == {"BASE TABLE": len(app.extensions["sqlalchemy"].metadata.sorted_tables),
                     "VIEW": 1}  # sip_credentials, the registrar's view
