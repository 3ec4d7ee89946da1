"""Record real net-snmp agent responses into tests/fixtures/snmp/ (run by hand, as root).

    .venv/bin/python tests/snmp/record_fixtures.py

Starts snmpd in a private network namespace with 48 veth interfaces (so IF-MIB
has realistic row counts), sends v1/v2c requests built with netops.snmp.ber and
v3 requests built with netops.snmp.usm, and stores each datagram pair as hex.
The differential tests decode every stored response with both decoders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from netops.snmp import ber  # noqa: E402
from tests.support.snmpd import Snmpd, create_netns, delete_netns  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "snmp" / "netsnmp_responses.json"
IF_BASICS = ["1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.2.2.1.14", "1.3.6.1.2.1.2.2.1.20",
             "1.3.6.1.2.1.2.2.1.13", "1.3.6.1.2.1.2.2.1.19", "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.15"]
V3 = ("netops", "SHA", "recorder-auth-key", "AES", "recorder-priv-key")  # test-only keys, stored with the records
LABELS = ["1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.31.1.1.1.18"]


def requests() -> list[tuple[str, int, int, int, int, list[str]]]:
    """(name, version, pdu, non-repeaters/0, max-repetitions/0, oids)."""
    return [
        ("get_system", 1, ber.GET, 0, 0, ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0",
                                          "1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.6.0"]),
        ("get_missing", 1, ber.GET, 0, 0, ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.3.7",
                                           "1.3.6.1.4.1.99999.1.0"]),
        ("getnext_end_of_mib", 1, ber.GETNEXT, 0, 0, ["1.3.6.1.2.1.1.3.0", "2.25.1", "1.3.6.1.6.3.999"]),
        ("v1_get_nosuchname", 0, ber.GET, 0, 0, ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.99.0"]),
        ("bulk_if_basics_r49", 1, ber.GETBULK, 1, 49, ["1.3.6.1.2.1.1.3", *IF_BASICS]),
        ("bulk_if_labels_r25", 1, ber.GETBULK, 0, 25, LABELS),
        ("bulk_if_basics_r10", 1, ber.GETBULK, 0, 10, IF_BASICS),
        ("bulk_mib2_r400", 1, ber.GETBULK, 0, 400, ["1.3.6.1.2.1"]),
        ("bulk_ip_r200", 1, ber.GETBULK, 0, 200, ["1.3.6.1.2.1.4"]),
        ("bulk_ucd_opaque_r60", 1, ber.GETBULK, 0, 60, ["1.3.6.1.4.1.2021.10.1"]),
        ("bulk_host_resources_r300", 1, ber.GETBULK, 0, 300, ["1.3.6.1.2.1.25"]),
        ("bulk_snmp_engine_r100", 1, ber.GETBULK, 0, 100, ["1.3.6.1.6.3"]),
        ("bulk_past_end_r5", 1, ber.GETBULK, 0, 5, ["1.3.6.1.6.3.999", "1.3.6.1.2.1.31.1.1.1.15"]),
    ]


def main() -> None:
    ns = f"netops-rec-{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="netops-rec-"))
    create_netns(ns, 24)
    records = []
    try:
        agent = Snmpd(work, [("127.150.0.1", 1161)], community="recorder", netns=ns, wildcard_port=1161,
                      v3_users=[V3])
        agent.start()
        try:
            for rid, (name, version, pdu, nr, mr, oids) in enumerate(requests(), start=1000):
                req = ber.encode_message(version, b"recorder", ber.encode_pdu(
                    pdu, rid, nr, mr, ber.null_varbinds([ber.encode_oid(o) for o in oids])))
                resp = _exchange(ns, req)
                records.append({"name": name, "agent": "net-snmp 5.9.3 snmpd, 48 veth interfaces",
                                "request": req.hex(), "response": resp.hex()})
                print(f"{name}: {len(resp)} bytes", file=sys.stderr)
            records.extend(_v3_records(ns))
        finally:
            agent.stop()
    finally:
        delete_netns(ns)
    OUT.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} records to {OUT}", file=sys.stderr)


def _exchange(ns: str, req: bytes) -> bytes:
    """One request/response inside the namespace (a child python joins it with setns)."""
    code = ("import socket,sys;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(3);"
            "s.sendto(bytes.fromhex(sys.argv[1]),('127.150.0.1',1161));sys.stdout.write(s.recvfrom(65535)[0].hex())")
    r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", code, req.hex()],
                       capture_output=True, text=True, check=True)
    return bytes.fromhex(r.stdout)


def _v3_records(ns: str) -> list[dict[str, str]]:
    """Discovery report, then an authPriv GET and GETBULK (SHA-1 / AES-128 with the recorder's test keys)."""
    from netops.snmp import usm
    from netops.snmp.api import SnmpTarget

    out = []
    disc = usm.discovery_request(4242)
    resp = _exchange(ns, disc)
    out.append({"name": "v3_discovery_report", "agent": "net-snmp 5.9.3", "request": disc.hex(),
                "response": resp.hex()})
    p = usm.parse(resp)
    agent = usm.Agent(engine_id=p.engine_id)
    agent.update(p.boots, p.time)
    user, _, akey, _, pkey = V3
    t = SnmpTarget("127.150.0.1", 1161, version="3", user=user, auth_key=akey, priv_key=pkey)
    keys = usm.keys_for(t, agent.engine_id)
    for rid, (name, tag, nr, mr, oids) in enumerate([
        ("v3_authpriv_get_system", ber.GET, 0, 0, ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"]),
        ("v3_authpriv_bulk_if", ber.GETBULK, 0, 20, IF_BASICS[:4]),
    ], start=5000):
        req = usm.encode_request(rid, agent, keys, ber.encode_pdu(tag, rid, nr, mr,
                                                                  ber.null_varbinds([ber.encode_oid(o) for o in oids])))
        out.append({"name": name, "agent": "net-snmp 5.9.3", "user": user, "auth": "sha", "auth_key": akey,
                    "priv": "aes", "priv_key": pkey, "request": req.hex(), "response": _exchange(ns, req).hex()})
    return out


if __name__ == "__main__":
    main()
