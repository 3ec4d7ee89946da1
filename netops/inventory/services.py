"""Typed service records: the regency's e-government applications that the intranet exists for.

``services:`` in the inventory lists each one with how to check it (HTTP(S) with expected
status and body, a TCP port, or a DNS name), the site that hosts it and the OPD that owns it;
``netops monitor generate`` turns them into blackbox_exporter modules, scrape jobs and alerts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, HttpUrl, model_validator

from netops.inventory.models import Slug, StrictModel


class HttpCheck(StrictModel):
    url: HttpUrl
    status: list[Annotated[int, Field(ge=100, le=599)]] = [200]
    body: str | None = None
    """A regular expression the page must contain (a login page's title, not just any 200)."""
    ca_file: str | None = None
    """The regency's own CA (certificates of the internal PKI), if the server's is not public."""


class TcpCheck(StrictModel):
    host: str
    port: Annotated[int, Field(ge=1, le=65535)]


class DnsCheck(StrictModel):
    server: str
    """The DNS server asked (host or host:port)."""
    name: str
    type: Literal["A", "AAAA", "MX", "NS", "TXT", "SOA", "CNAME"] = "A"


class Service(StrictModel):
    id: Slug
    name: str
    site: str
    owner: str
    """The OPD responsible (Diskominfo, Bappeda, ...)."""
    http: HttpCheck | None = None
    tcp: TcpCheck | None = None
    dns: DnsCheck | None = None

    @model_validator(mode="after")
    def _one_check(self) -> Service:
        kinds = [k for k in ("http", "tcp", "dns") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a service has exactly one check: http, tcp or dns"
                             + (f" (got {', '.join(kinds)})" if kinds else ""))
        return self

    @property
    def kind(self) -> str:
        return "http" if self.http else "tcp" if self.tcp else "dns"
