"""Root cause from the inventory's topology, as Prometheus rules.

The inventory's upstream paths (:mod:`netops.inventory.topology`) become static info series
(one recording rule each, value 1); generic recording rules join them with ``netops_link_up``
to mark each down link or device either as a root cause or as *unreachable upstream*, naming
its root link in a ``root_link`` label. Alertmanager's inhibit rules then keep the consequences
out of people's phones while they stay visible (inhibited) in its API.

Static series from rules (rather than from the exporter) keep the exporter unchanged and give
one place, the generated rules, where topology and alerting meet; both are regenerated from the
same inventory by ``netops monitor generate``.
"""

from __future__ import annotations

from typing import Any

from netops.inventory import Inventory
from netops.inventory.topology import WATCHED, link_upstream, site_path
from netops.inventory.topology import behind as sites_behind

LINK_PATH = "netops:link_path:info"
DEVICE_PATH = "netops:device_path:info"
LINK_INFO = "netops:link:info"
VILLAGE_TIERS = ("desa", "kelurahan")


def topology_rules(inv: Inventory) -> dict[str, Any]:
    """One rule group of static series: the upstream links of every link and device, and each link's facts."""
    rules: list[dict[str, Any]] = []
    for link in sorted(inv.links.values(), key=lambda lk: lk.id):
        if link.status not in WATCHED:
            continue
        villages = [s for s in sites_behind(inv, link) if s.tier.value in VILLAGE_TIERS]
        rules.append({"record": LINK_INFO, "expr": f"vector({len(villages)})", "labels": {
            "link": link.id, "circuit_id": link.circuit_id or "",
            "desa_behind": ", ".join(s.name for s in villages)}})
        for up in link_upstream(inv, link):
            rules.append({"record": LINK_PATH, "expr": "vector(1)", "labels": {"link": link.id, "upstream": up.id}})
    for dev in sorted(inv.devices.values(), key=lambda d: d.name):
        if dev.monitor == "off":
            continue
        for up in site_path(inv, dev.site):
            rules.append({"record": DEVICE_PATH, "expr": "vector(1)", "labels": {"device": dev.name, "upstream": up.id}})
    return {"groups": [{"name": "netops-topology", "rules": rules}]}


def _upstream_down(path: str, key: str) -> str:
    return (f"max by ({key}) ({path} * on (upstream) group_left ()"
            ' (max by (upstream) (label_replace(netops_link_up, "upstream", "$1", "link", "(.+)")) == bool 0))')


def _root_of(path: str, key: str) -> str:
    return (f'max by ({key}, root_link) (label_replace({path}, "root_link", "$1", "upstream", "(.+)")'
            ' * on (root_link) group_left ()'
            ' label_replace(max by (link) (netops:link_root_down), "root_link", "$1", "link", "(.+)"))')


LINK_ROOT_DOWN = "(netops_link_up == 0) unless on (link) (netops:link_upstream_down == 1)"


def recording_rules() -> list[dict[str, Any]]:
    """Generic joins (no inventory in them): evaluated before the alerts of the same group."""
    return [
        {"record": "netops:link_upstream_down", "expr": _upstream_down(LINK_PATH, "link")},
        {"record": "netops:device_upstream_down", "expr": _upstream_down(DEVICE_PATH, "device")},
        {"record": "netops:link_root_down", "expr": f"count by (link, provider) ({LINK_ROOT_DOWN})"},
        {"record": "netops:link_root_cause", "expr": _root_of(LINK_PATH, "link")},
        {"record": "netops:device_root_cause", "expr": _root_of(DEVICE_PATH, "device")},
        # one series per link with its state: 1 up, 0 down (root cause), -1 unreachable upstream
        {"record": "netops:link_state",
         "expr": "(netops_link_up == 1) or (((netops_link_up == 0) and on (link) (netops:link_upstream_down == 1)) - 1)"
                 " or (netops_link_up == 0)"},
    ]


def _link_facts() -> dict[str, str]:
    """Annotations read from the link's static info series: circuit id and the desa behind it."""
    q = f'printf "{LINK_INFO}{{link=%q}}" $labels.link | query'
    return {
        "circuit_id": f"{{{{ with {q} }}}}{{{{ (first .).Labels.circuit_id }}}}{{{{ end }}}}",
        "desa_behind_count": f"{{{{ with {q} }}}}{{{{ (first .).Value }}}}{{{{ else }}}}0{{{{ end }}}}",
        "desa_behind": f"{{{{ with {q} }}}}{{{{ (first .).Labels.desa_behind }}}}{{{{ end }}}}",
    }


def root_cause_alerts(*, down_for: str, device_for: str, provider_min_links: int, provider_ratio: float) -> list[dict[str, Any]]:
    link_labels = "{{ $labels.link }} ({{ $labels.medium }}, {{ $labels.provider }}) to {{ $labels.site }}"
    facts = _link_facts()
    return [
        {"alert": "NetopsLinkDown", "expr": LINK_ROOT_DOWN, "for": down_for,
         "labels": {"severity": "critical", "cause": "root", "root_link": "{{ $labels.link }}"},
         "annotations": {"summary": f"Link {link_labels} is down",
                         "description": f"The far end has answered no probe for {down_for}; "
                                        "{{ $labels.site }} is offline"
                                        "{{ with printf \"count((netops_link_up == 0) * on (link) group_left ()"
                                        " netops:link_root_cause{root_link=%q})\" $labels.link"
                                        " | query }}{{ with (first .).Value }}, and {{ . }} link(s) behind it down with it"
                                        "{{ end }}{{ end }}.",
                         **facts}},
        {"alert": "NetopsLinkUnreachableUpstream",
         "expr": "(netops_link_up == 0) * on (link) group_left (root_link) netops:link_root_cause",
         "for": down_for,
         "labels": {"severity": "warning", "cause": "unreachable_upstream"},
         "annotations": {"summary": f"Link {link_labels} is unreachable: upstream link "
                                    "{{ $labels.root_link }} is down",
                         "description": "Not a fault of its own: it follows {{ $labels.root_link }} and "
                                        "is inhibited while that alert fires.", **facts}},
        {"alert": "NetopsDeviceDown",
         "expr": "(netops_device_up == 0) unless on (device) (netops:device_upstream_down == 1)",
         "for": device_for,
         "labels": {"severity": "warning", "cause": "root"},
         "annotations": {"summary": "{{ $labels.device }} at {{ $labels.site }} ({{ $labels.kecamatan }}) "
                                    "answers neither SNMP nor ping",
                         "description": f"No SNMP or ICMP answer for {device_for}; its uplinks answer."}},
        {"alert": "NetopsDeviceUnreachableUpstream",
         "expr": "(netops_device_up == 0) * on (device) group_left (root_link) netops:device_root_cause",
         "for": device_for,
         "labels": {"severity": "warning", "cause": "unreachable_upstream"},
         "annotations": {"summary": "{{ $labels.device }} at {{ $labels.site }} is unreachable: link "
                                    "{{ $labels.root_link }} is down",
                         "description": "Not a fault of its own: it follows {{ $labels.root_link }}."}},
        {"alert": "NetopsProviderOutage",
         "expr": f"(count by (provider) (netops:link_root_down) >= {provider_min_links})"
                 f" and on (provider) (count by (provider) (netops:link_root_down)"
                 f" / count by (provider) (netops_link_up) > {provider_ratio:g})",
         "for": down_for,
         "labels": {"severity": "critical", "cause": "provider", "root_link": "provider:{{ $labels.provider }}"},
         "annotations": {"summary": "{{ $labels.provider }}: {{ $value }} links down at once",
                         "description": f"More than {provider_ratio:.0%} of the provider's links are down "
                                        "independently (hub, beam or backbone fault): call the provider. "
                                        "Down: {{ range printf \"netops:link_root_down{provider=%q}\" "
                                        "$labels.provider | query | sortByLabel \"link\" }}{{ .Labels.link }} {{ end }}"}},
    ]


INHIBIT_RULES: list[dict[str, Any]] = [
    # a provider-wide outage covers its links' own alerts
    {"source_matchers": ['alertname="NetopsProviderOutage"'],
     "target_matchers": ['alertname=~"NetopsLinkDown|NetopsLinkUnreachableUpstream|NetopsVsat.*|NetopsSla.*'
                         '|NetopsLinkUtilisationHigh"'],
     "equal": ["provider"]},
    # a root link down covers everything behind it (links and devices)
    {"source_matchers": ['alertname="NetopsLinkDown"'],
     "target_matchers": ['cause="unreachable_upstream"'],
     "equal": ["root_link"]},
    # a dead link is not also lossy, slow, full or burning its budget
    {"source_matchers": ['alertname=~"NetopsLinkDown|NetopsLinkUnreachableUpstream"'],
     "target_matchers": ['alertname=~"NetopsVsat.*|NetopsSla.*|NetopsLinkUtilisationHigh"'],
     "equal": ["link"]},
]
