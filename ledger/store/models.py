"""Every table module, imported so `Base.metadata` is complete (create_all, Alembic).

Add one import line here per new table module (e.g. `from . import case_schema`).
"""

from . import schema

__all__ = ["schema"]
