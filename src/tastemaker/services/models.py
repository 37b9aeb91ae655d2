"""The ``service_settings`` table: admin-edited service connection values.

One row per (service, key). Secret values (passwords, API keys) are stored
encrypted with the app's secret key and are never sent back to a browser.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tastemaker.db import Base, utcnow


class ServiceSetting(Base):
    __tablename__ = "service_settings"
    __table_args__ = (UniqueConstraint("service", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    is_secret: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
