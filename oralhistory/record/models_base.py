"""The declarative base every table of the record is mapped on, and the clock its times are
taken by (UTC, stored without a zone)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase

# The largest id an INTEGER column holds (PostgreSQL refuses to even look up a larger one).
MAX_ROW_ID = 2**31 - 1


def utcnow() -> dt.datetime:
    """Now, in UTC, without a zone: how the record stores every time."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[str]: JSON}
