"""Typed alerting records: who is told about a fault (receivers, routes) and when not (maintenance).

Two inventory sections, read by the loader like the others:

``alerting:``     receivers (Telegram, e-mail, webhook) and routes by severity, kecamatan, provider;
``maintenance:``  planned windows (one-off or weekly) over sites, kecamatan, providers or links.

``netops monitor generate`` turns them into Alertmanager's configuration.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from netops.inventory.models import Secret, Slug, StrictModel

Duration = Annotated[str, Field(pattern=r"^([0-9]+(ms|s|m|h|d|w|y))+$")]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$")]


class Language(StrEnum):
    id = "id"
    en = "en"


class Severity(StrEnum):
    critical = "critical"
    warning = "warning"


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"


class Telegram(StrictModel):
    bot_token: Secret
    """Only as env:/file: reference; a plain token is refused."""
    chat_id: int


class Email(StrictModel):
    to: Annotated[str, Field(pattern=r"^[^@\s,]+@[^@\s,]+(,\s*[^@\s,]+@[^@\s,]+)*$")]


class Webhook(StrictModel):
    url: Annotated[str, Field(pattern=r"^https?://[^\s/]+")]


class Receiver(StrictModel):
    """One destination; exactly one of telegram, email, webhook."""

    name: Slug
    telegram: Telegram | None = None
    email: Email | None = None
    webhook: Webhook | None = None
    send_resolved: bool = True

    @model_validator(mode="after")
    def _one_kind(self) -> Receiver:
        kinds = [k for k in ("telegram", "email", "webhook") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a receiver has exactly one of telegram, email, webhook"
                             + (f" (got {', '.join(kinds)})" if kinds else ""))
        return self


class Route(StrictModel):
    """Alerts matching every given condition also go to ``receiver``."""

    receiver: str
    severity: list[Severity] = []
    kecamatan: list[str] = []
    provider: list[str] = []

    @field_validator("severity", "kecamatan", "provider", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class Smtp(StrictModel):
    smarthost: Annotated[str, Field(pattern=r"^[^\s:]+:[0-9]+$")]
    sender: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    username: str | None = None
    password: Secret | None = None
    require_tls: bool = True


class Alerting(StrictModel):
    """Alertmanager settings: who hears about what, in which language, how often."""

    language: Language = Language.id
    default_receiver: str
    group_wait: Duration | None = None
    """How long Alertmanager holds a new group before its first message. Unset: 1.5 x the poll interval
    ('netops monitor generate --interval'); shorter than that is refused there (docs/monitor.md)."""
    group_interval: Duration = "5m"
    repeat_interval: Duration = "4h"
    timezone: str = "Asia/Pontianak"
    """Maintenance windows' clock times are in this zone (IANA name; Kalimantan Barat is WIB)."""
    smtp: Smtp | None = None
    receivers: list[Receiver]
    routes: list[Route] = []


class Weekly(StrictModel):
    days: list[Weekday]
    start: ClockTime
    end: ClockTime

    @field_validator("end")
    @classmethod
    def _order(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"the window ends ({end}) before it starts ({start}); "
                             "a window crossing midnight is two windows")
        return end


class MaintenanceWindow(StrictModel):
    """Planned work: alerts of what it covers are muted while it lasts, and it counts apart in SLA reports."""

    id: Slug
    reason: str = ""
    site: list[str] = []
    kecamatan: list[str] = []
    provider: list[str] = []
    link: list[str] = []
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    weekly: Weekly | None = None
    sla: Literal["exclude", "include"] = "exclude"
    """The provider contract's rule: does planned downtime count against the SLA? (reports show both figures)"""

    @field_validator("site", "kecamatan", "provider", "link", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        start = info.data.get("start")
        if end is not None and start is not None and end.tzinfo and start.tzinfo and end <= start:
            raise ValueError(f"the window ends ({end.isoformat()}) before it starts ({start.isoformat()}); "
                             "swap them")
        return end

    @model_validator(mode="after")
    def _shape(self) -> MaintenanceWindow:
        if not (self.site or self.kecamatan or self.provider or self.link):
            raise ValueError("say what the window covers: site, kecamatan, provider or link")
        if self.weekly is None:
            if self.start is None or self.end is None:
                raise ValueError("a one-off window needs start and end (or give weekly:)")
            if self.start.tzinfo is None or self.end.tzinfo is None:
                raise ValueError("start and end need a UTC offset, e.g. 2026-12-20T22:00:00+07:00")
        elif self.start is not None or self.end is not None:
            raise ValueError("a weekly window has no start/end; use one or the other")
        return self

    @property
    def kind(self) -> Literal["weekly", "once"]:
        return "weekly" if self.weekly else "once"
