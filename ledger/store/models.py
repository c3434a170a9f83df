"""Every table module, imported so `Base.metadata` is complete (create_all, Alembic).

Add one import line here per new table module (e.g. `from . import case_schema`).
"""

from . import audit_schema, domain_schema, ops_schema, schema, supervision_schema

__all__ = ["audit_schema", "domain_schema", "ops_schema", "schema", "supervision_schema"]
