"""Declarative bases for every domain's models.

advanced-alchemy's ``UUIDAuditBase`` gives each table an opaque UUID primary key (never a bare
autoincrement integer in a URL), ``created_at``/``updated_at`` as aware UTC, and snake_case table
names; ``DateTimeUTC`` keeps every stored instant aware and in UTC on SQLite as on PostgreSQL.
"""

from advanced_alchemy.base import UUIDAuditBase, orm_registry
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB

__all__ = ["GUID", "DateTimeUTC", "JsonB", "UUIDAuditBase", "metadata"]

metadata = orm_registry.metadata
