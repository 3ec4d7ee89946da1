"""Rendering templates from inventory data, strictly.

Every template is rendered for every target before any device is contacted; an
undefined or empty variable stops the whole job with the host, the template file,
its line and the variable, so a half-filled inventory never reaches a router.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from netops.config.errors import TemplateProblem
from netops.config.mask import mask
from netops.errors import SecretError
from netops.inventory.models import Inventory
from netops.inventory.nornir_plugin import host_data
from netops.platforms import Platform, get_platform

DEFAULT_FEATURES = ("baseline", "uplink")
_REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def default_templates_dir() -> Path:
    """``$NETOPS_TEMPLATES``, else ``./templates``, else the templates shipped with netops."""
    env = os.environ.get("NETOPS_TEMPLATES")
    if env:
        return Path(env)
    local = Path("templates")
    return local if local.is_dir() else _REPO_TEMPLATES


class _EmptyValue(Exception):
    pass


def _finalize(value: Any) -> Any:
    # A None printed into a config ("description None") is as wrong as a missing key.
    if value is None:
        raise _EmptyValue()
    return value


def _mbps_to_kbps(value: float) -> int:
    return int(round(float(value) * 1000))


def _quote(value: Any) -> str:
    """A double-quoted CLI string (RouterOS, VRP), backslash and quote escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ipnet(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(str(value), strict=False)


@dataclass
class Rendered:
    """What the templates want on one device; ``text`` holds real secrets, print ``masked``."""

    device: str
    platform: Platform
    features: tuple[str, ...]
    text: str
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def masked(self) -> str:
        return mask(self.platform, self.text, self.secrets) + ("\n" if self.text.endswith("\n") else "")


class TemplateSet:
    """The ``templates/<platform>/<feature>.j2`` tree."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_templates_dir()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
        )
        self.env.filters["kbps"] = _mbps_to_kbps
        self.env.filters["quote"] = _quote
        self.env.filters["ipnet"] = _ipnet

    def path(self, platform: Platform, feature: str) -> Path:
        return self.root / (platform.templates or "") / f"{feature}.j2"

    def has(self, platform: Platform, feature: str) -> bool:
        return platform.templates is not None and self.path(platform, feature).is_file()

    def render(self, platform: Platform, feature: str, context: dict[str, Any], host: str) -> str:
        name = f"{platform.templates}/{feature}.j2"
        shown = self.path(platform, feature)
        if not self.has(platform, feature):
            raise TemplateProblem(
                f"{host}: no template {shown} for platform {platform.name}; create it or drop "
                f"feature {feature!r}"
            )
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.UndefinedError as exc:
            line = _template_line(shown)
            var = _variable(str(exc))
            raise TemplateProblem(
                f"{host}: {shown}:{line}: variable {var} is undefined ({exc}); add it to the "
                "inventory or fix the template"
            ) from None
        except _EmptyValue:
            line = _template_line(shown)
            exprs = _expressions(shown, line)
            raise TemplateProblem(
                f"{host}: {shown}:{line}: variable {exprs} is empty (None in the inventory); "
                "set it for this host or guard it in the template"
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(f"{shown}:{exc.lineno}: template syntax error: {exc.message}") from None


def _template_line(path: Path) -> int:
    """Line of the template being rendered, from the traceback jinja rewrites to point at it."""
    tb = sys.exc_info()[2]
    line = 0
    target = str(path.resolve())
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname == target or fname.endswith(str(path)):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _variable(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    return repr(m.group(1)) if m else "(unknown)"


def _expressions(path: Path, line: int) -> str:
    try:
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, IndexError):
        return "(unknown)"
    found = re.findall(r"\{\{\s*(.*?)\s*\}\}", text)
    return ", ".join(repr(f) for f in found) or "(unknown)"


def render_context(inv: Inventory, name: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Template variables for a device (Nornir host data plus resolved SNMP keys) and
    the secret values they contain, for masking."""
    ctx = host_data(inv, name)
    dev = inv.devices[name]
    snmp = inv.snmp_for(dev)
    secrets: list[str] = []
    if snmp is not None:
        s = snmp.model_dump(mode="json")
        for key in ("community", "auth_key", "priv_key"):
            ref = getattr(snmp, key)
            try:
                s[key] = ref.resolve() if ref is not None else None
            except SecretError as exc:
                raise SecretError(f"{name}: SNMP {key}: {exc}") from None
            if s[key]:
                secrets.append(s[key])
        ctx["snmp"] = s
    else:
        ctx["snmp"] = None
    ctx["hostname"] = dev.name
    ctx["platform"] = dev.platform
    return ctx, tuple(secrets)


def render_device(inv: Inventory, name: str, features: Iterable[str] = DEFAULT_FEATURES,
                  templates: TemplateSet | None = None) -> Rendered:
    templates = templates or TemplateSet()
    dev = inv.devices[name]
    platform = get_platform(dev.platform)
    ctx, secrets = render_context(inv, name)
    feats = tuple(features)
    parts = [templates.render(platform, f, ctx, name).strip("\n") for f in feats]
    text = "\n".join(p for p in parts if p) + "\n"
    return Rendered(device=name, platform=platform, features=feats, text=text, secrets=secrets)


def managed(inv: Inventory, names: Iterable[str]) -> list[str]:
    """The devices netops configures (routers), in inventory order."""
    return [n for n in names if get_platform(inv.devices[n].platform).managed]


def render_all(inv: Inventory, names: Iterable[str], features: Iterable[str] = DEFAULT_FEATURES,
               templates: TemplateSet | None = None) -> dict[str, Rendered]:
    """Render every device first; any problem stops the job before a device is contacted."""
    templates = templates or TemplateSet()
    feats = tuple(features)
    return {n: render_device(inv, n, feats, templates) for n in managed(inv, names)}
