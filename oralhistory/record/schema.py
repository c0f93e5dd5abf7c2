"""The whole schema of the record: every table module imported, so that `Base.metadata` holds
every table (for `create_all`, Alembic, the backup) and every relationship between them can be
resolved. Whoever opens the database imports this, not the table modules one by one."""

from __future__ import annotations

from . import (  # noqa: F401  (imported for their tables)
    account_models,
    alignment_record,
    collection_record,
    language_models,
    log_models,
    models,
    name_spellings,
)
from .models_base import Base

__all__ = ["Base"]
