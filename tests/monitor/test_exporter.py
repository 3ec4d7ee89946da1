"""``netops monitor serve`` end to end: real agents, a real Prometheus scraping it, promtool linting it."""

from __future__ import annotations

import base64
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest

from netops.cli.monitor import config_state_families
from netops.monitor.server import Exporter, WebConfigError, load_web_config
from netops.monitor.snapshot import Snapshot
from tests.conftest import need_binary
from tests.monitor.agents import Interface
from tests.monitor.conftest import addr, write_inventory
from tests.monitor.promserver import free_tcp_port, http_get, prometheus
from tests.monitor.test_poller import LINKS, core, desa
from tests.support.exporter import start_serve, wait_metrics

NETOPS = [sys.executable, "-m", "netops"]


def promtool_check_metrics(text: str) -> tuple[int, list[str]]:
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    return r.returncode, [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]


@pytest.fixture
def served(tmp_path: Path, agent_factory):
    need_binary("promtool")
    need_binary("prometheus")
    agent = agent_factory([addr(11), addr(12)], [Interface(1, "ether1", alias="Icon Plus", in_octets=5000,
                                                           out_octets=7000, speed_mbps=100)])
    inv = write_inventory(tmp_path, agent, [core(11, "v3"), desa("desa-a-r1", "desa-a", 12)], LINKS)
    port = free_tcp_port()
    proc = start_serve(inv, port, "2", "3")
    yield agent, f"127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_is_scraped_by_real_prometheus(tmp_path: Path, served) -> None:
    agent, hostport, proc = served
    body = wait_metrics(f"http://{hostport}/metrics", "netops_poll_last_cycle_timestamp_seconds{", proc)
    # if_mib names and labels as snmp_exporter writes them, plus the device label
    assert "# TYPE ifHCInOctets counter" in body
    assert ('ifHCInOctets{device="desa-a-r1",ifAlias="Icon Plus",ifDescr="ether1",ifIndex="1",ifName="ether1"} '
            "5000.0") in body
    assert "# TYPE netops_poll_duration_seconds histogram" in body
    for secret in (agent.community, agent.auth_key, agent.priv_key):
        assert secret not in body

    # promtool: netops' own series lint clean; the if_mib-compatible ones differ only by their
    # deliberate snmp_exporter names (camelCase, counters without _total)
    own = "\n".join(ln for ln in body.splitlines()
                    if "netops_" in ln.split(" ")[0] or ln.startswith(("# HELP netops_", "# TYPE netops_"))) + "\n"
    rc, problems = promtool_check_metrics(own)
    assert rc == 0, problems
    rc, problems = promtool_check_metrics(body)
    assert problems and all(("camelCase" in p or '"_total" suffix' in p) and not p.startswith("netops_")
                            for p in problems), problems

    # snmp_exporter-style per-target endpoint, answered from the snapshot
    code, one = http_get(f"http://{hostport}/snmp?target={addr(12)}&module=if_mib")
    assert code == 200
    assert 'ifHCInOctets{ifAlias="Icon Plus",ifDescr="ether1",ifIndex="1",ifName="ether1"} 5000.0' in one
    assert "device=" not in one and "snmp_scrape_duration_seconds" in one
    assert http_get(f"http://{hostport}/snmp?target=desa-a-r1&module=if_mib,system")[0] == 200
    assert http_get(f"http://{hostport}/snmp?target={addr(12)}&module=nope")[0] == 400
    assert http_get(f"http://{hostport}/snmp?target=127.0.0.1&module=if_mib")[0] == 404

    scrape = [{"job_name": "netops", "static_configs": [{"targets": [hostport]}]}]
    with prometheus(tmp_path / "prom", scrape) as prom:
        res = prom.wait_for('netops_link_up{link="fo-desa-a"}')
        assert len(res) == 1
        labels = res[0]["metric"]
        assert {k: labels[k] for k in ("link", "site", "kecamatan", "tier", "medium", "provider")} == {
            "link": "fo-desa-a", "site": "desa-a", "kecamatan": "Kubu", "tier": "desa", "medium": "fiber",
            "provider": "Icon Plus"}
        assert labels["job"] == "netops" and labels["instance"] == hostport
        assert res[0]["value"][1] == "1"
        res = prom.query('ifHCInOctets{device="desa-a-r1",ifName="ether1"}')
        assert [r["value"][1] for r in res] == ["5000"]
        res = prom.query('netops_device_up{device="core-01"}')
        assert res[0]["metric"]["platform"] == "cisco_ios" and res[0]["metric"]["role"] == "core"
        assert prom.query("netops_site_info{site=\"desa-a\"}")[0]["metric"]["lat"] == "-0.200000"
        assert prom.query('up{job="netops"}')[0]["value"][1] == "1"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    need_binary("openssl")
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_web_config_tls_and_basic_auth(tmp_path: Path, tls_files) -> None:
    cert, key = tls_files
    hashed = bcrypt.hashpw(b"scrape-secret-1", bcrypt.gensalt(rounds=6)).decode()
    web = tmp_path / "web.yml"
    web.write_text(f"tls_server_config:\n  cert_file: {cert.name}\n  key_file: {key.name}\n"
                   f"basic_auth_users:\n  prometheus: '{hashed}'\n")
    exporter = Exporter(lambda: Snapshot(), ("127.0.0.1", 0), load_web_config(web)).start()
    url = f"https://127.0.0.1:{exporter.address[1]}/metrics"
    ctx = ssl.create_default_context(cafile=str(cert))
    try:
        def auth(user: str, pw: str) -> dict[str, str]:
            return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}

        assert http_get(url, context=ctx)[0] == 401
        assert http_get(url, context=ctx, headers=auth("prometheus", "wrong"))[0] == 401
        assert http_get(url, context=ctx, headers=auth("nobody", "scrape-secret-1"))[0] == 401
        code, body = http_get(url, context=ctx, headers=auth("prometheus", "scrape-secret-1"))
        assert code == 200 and "netops_poll_devices" in body
        with pytest.raises(OSError):  # plain HTTP is not served
            http_get(url.replace("https", "http"), timeout=3)
    finally:
        exporter.stop()


def test_web_config_refuses_plain_passwords_and_missing_files(tmp_path: Path) -> None:
    web = tmp_path / "web.yml"
    web.write_text("basic_auth_users:\n  prometheus: hunter2\n")
    with pytest.raises(WebConfigError, match="bcrypt hash"):
        load_web_config(web)
    web.write_text("tls_server_config: {cert_file: nope.crt, key_file: nope.key}\n")
    with pytest.raises(WebConfigError, match="nope.crt"):
        load_web_config(web)


def test_serve_refuses_a_bad_shard(tmp_path: Path) -> None:
    r = subprocess.run([*NETOPS, "-i", str(Path(__file__).resolve().parents[1] / "fixtures/inventory/small"),
                        "monitor", "serve", "--shard", "4/4"], capture_output=True, text=True,
                       env={**os.environ, "NO_COLOR": "1"})
    assert r.returncode != 0 and "0 <= I < N" in r.stderr


def _metric(body: str, prefix: str) -> str | None:
    return next((ln.rsplit(" ", 1)[1] for ln in body.splitlines() if ln.startswith(prefix)), None)


def test_sighup_reloads_the_inventory_and_refuses_a_broken_edit(tmp_path: Path, agent_factory) -> None:
    agent = agent_factory([addr(11), addr(12), addr(13)])
    inv = write_inventory(tmp_path, agent, [core(11, "v2c"), desa("desa-a-r1", "desa-a", 12)], LINKS)
    port = free_tcp_port()
    proc = start_serve(inv, port, "1", "2")
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        body = wait_metrics(url, 'netops_device_up{device="desa-a-r1"', proc)
        assert _metric(body, 'netops_inventory_reload_success{shard="0/1"}') == "1.0"
        first_load = float(_metric(body, "netops_inventory_last_reload_success_timestamp_seconds{") or 0)
        assert first_load > 0

        # a village router is replaced: desa-a-r1 leaves, desa-b-r1 arrives; the core stays
        write_inventory(tmp_path, agent, [core(11, "v2c"), desa("desa-b-r1", "desa-b", 13)], [])
        proc.send_signal(signal.SIGHUP)
        body = wait_metrics(url, 'netops_device_up{device="desa-b-r1"', proc)
        deadline = time.monotonic() + 15
        while 'device="desa-a-r1"' in body and time.monotonic() < deadline:
            time.sleep(0.5)
            body = http_get(url, timeout=2)[1]
        assert 'device="desa-a-r1"' not in body  # its series left with it
        assert 'netops_device_up{device="core-01"' in body
        assert float(_metric(body, "netops_inventory_last_reload_success_timestamp_seconds{") or 0) > first_load

        # a broken edit: refused, named by file and line, the previous inventory still served
        (inv / "broken.yaml").write_text("devices:\n  - name: desa-c-r1\n    site: desa-c\n    mgmt: [\n")
        proc.send_signal(signal.SIGHUP)
        body = wait_metrics(url, 'netops_inventory_reload_success{shard="0/1"} 0.0', proc)
        time.sleep(2.5)  # two more cycles on the inventory that was in service
        body = http_get(url, timeout=2)[1]
        assert 'netops_device_up{device="desa-b-r1"' in body and _metric(body, "netops_poll_devices{") == "2.0"

        (inv / "broken.yaml").unlink()
        proc.send_signal(signal.SIGHUP)
        wait_metrics(url, 'netops_inventory_reload_success{shard="0/1"} 1.0', proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "broken.yaml:5: YAML syntax error" in err and "inventory reload refused" in err, err
    for secret in (agent.community, agent.auth_key, agent.priv_key):
        assert secret not in err


def test_pending_recovery_follows_the_change_journal(tmp_path: Path) -> None:
    """A device with an open journal entry is served as netops_config_pending_recovery 1
    until a final step closes it; the journal file is what 'config push' writes."""
    from netops.config.journal import FILENAME, Journal, JournalStep, pending_devices
    from netops.monitor.collector import PendingRecoveryCollector
    from tests.monitor.promserver import http_get as get

    repo = tmp_path / "backups"
    exporter = Exporter(lambda: Snapshot(), ("127.0.0.1", 0),
                        extra=[PendingRecoveryCollector(repo / FILENAME, lambda: pending_devices(repo))]).start()
    url = "http://{}:{}/metrics".format(*exporter.address)
    try:
        _, body = get(url, timeout=10)
        assert "netops_config_pending_recovery{" not in body  # no journal yet
        j = Journal(repo)
        j.step("r1", "desa-a1-r1", JournalStep.BEGIN, platform="mikrotik_routeros", backup_rev="abc1234", total=5)
        j.step("r1", "desa-a1-r1", JournalStep.SENDING, sent=2, total=5)
        j.step("r1", "kec-a-r1", JournalStep.BEGIN, platform="mikrotik_routeros", total=5)
        j.step("r1", "kec-a-r1", JournalStep.APPLIED)
        _, body = get(url, timeout=10)
        assert 'netops_config_pending_recovery{device="desa-a1-r1"} 1.0' in body
        assert 'device="kec-a-r1"' not in body
        code, problems = promtool_check_metrics(body)
        assert code == 0, problems
        j.step("r1", "desa-a1-r1", JournalStep.ROLLED_BACK, note="recover: rolled back")
        _, body = get(url, timeout=10)
        assert "netops_config_pending_recovery{" not in body
    finally:
        exporter.stop()


def test_changes_outside_netops_are_counted_from_the_backups(tmp_path: Path) -> None:
    """netops_config_changes_outside_total and the last one's time, from the changes.jsonl a backup appends."""
    from netops.config.changes import OutsideChange, record
    from tests.monitor.promserver import http_get as get

    repo = tmp_path / "backups"
    exporter = Exporter(lambda: Snapshot(), ("127.0.0.1", 0), extra=config_state_families(repo)).start()
    url = "http://{}:{}/metrics".format(*exporter.address)
    try:
        _, body = get(url, timeout=10)
        assert "netops_config_changes_outside_total{" not in body  # no change recorded yet
        record(repo, [OutsideChange("kec-a-r1", "mikrotik_routeros", 1796000000.0, "", 1, 0)])
        record(repo, [OutsideChange("kec-a-r1", "mikrotik_routeros", 1796000600.0, "", 2, 1),
                      OutsideChange("core-01", "cisco_ios", 1796000300.0, "", 1, 1)])
        _, body = get(url, timeout=10)
        assert 'netops_config_changes_outside_total{device="kec-a-r1"} 2.0' in body
        assert 'netops_config_changes_outside_total{device="core-01"} 1.0' in body
        assert 'netops_config_change_outside_last_timestamp_seconds{device="kec-a-r1"} 1.7960006e+09' in body
        code, problems = promtool_check_metrics(body)
        assert code == 0, problems
    finally:
        exporter.stop()


def _exporter_for(tmp_path: Path, request: pytest.FixtureRequest, tls: bool, conn_timeout: float
                  ) -> tuple[Exporter, str, ssl.SSLContext | None]:
    web = None
    ctx = None
    if tls:
        cert, key = request.getfixturevalue("tls_files")
        path = tmp_path / "web.yml"
        path.write_text(f"tls_server_config:\n  cert_file: {cert.name}\n  key_file: {key.name}\n")
        web = load_web_config(path)
        ctx = ssl.create_default_context(cafile=str(cert))
    exporter = Exporter(lambda: Snapshot(), ("127.0.0.1", 0), web, conn_timeout=conn_timeout).start()
    return exporter, f"{'https' if tls else 'http'}://127.0.0.1:{exporter.address[1]}/metrics", ctx


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_idle_connections_and_a_slow_client_never_block_50_concurrent_scrapes(
        tmp_path: Path, request: pytest.FixtureRequest, tls: bool) -> None:
    """10 connections that never send a byte (with TLS: never start the handshake) and one
    client sending half a request stay open the whole time; 50 scrapes at once all succeed."""
    import socket
    from concurrent.futures import ThreadPoolExecutor

    exporter, url, ctx = _exporter_for(tmp_path, request, tls, conn_timeout=120)
    port = exporter.address[1]
    held: list[socket.socket] = []
    try:
        for _ in range(10):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        slow = socket.create_connection(("127.0.0.1", port), timeout=30)
        if ctx is not None:
            slow = ctx.wrap_socket(slow, server_hostname="127.0.0.1")
        slow.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl")  # and nothing more
        held.append(slow)
        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(lambda _: http_get(url, timeout=60, context=ctx), range(50)))
        assert [code for code, _ in results] == [200] * 50
        assert all("netops_poll_devices" in body for _, body in results)
    finally:
        for s in held:
            s.close()
        exporter.stop()


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_a_silent_client_is_disconnected_after_the_read_timeout(tmp_path: Path, request: pytest.FixtureRequest,
                                                                tls: bool) -> None:
    import socket

    exporter, url, ctx = _exporter_for(tmp_path, request, tls, conn_timeout=1)
    try:
        with socket.create_connection(("127.0.0.1", exporter.address[1]), timeout=60) as s:
            if not tls:  # half a request; with TLS, not even a handshake
                s.sendall(b"GET /metr")
            assert s.recv(1024) == b""  # the server hung up on it
        assert http_get(url, context=ctx)[0] == 200
    finally:
        exporter.stop()


def test_audit_and_backup_age_follow_the_audit_file_and_the_backups(tmp_path: Path) -> None:
    """The last 'config audit' (its JSON file) and the backups' git history become the
    netops_config_* series; the file written by the audit is what is read."""
    from netops.config.audit import AuditReport, ComplianceFinding, DeviceAudit, DeviceState, write_state
    from netops.config.backup import BackupRepo
    from tests.monitor.promserver import http_get as get

    repo = tmp_path / "backups"
    exporter = Exporter(lambda: Snapshot(), ("127.0.0.1", 0), extra=config_state_families(repo)).start()
    url = "http://{}:{}/metrics".format(*exporter.address)
    try:
        _, body = get(url, timeout=10)
        assert "netops_config_compliant{" not in body and "netops_config_backup_age_seconds{" not in body
        BackupRepo(repo).store({"desa-a1-r1": "/system identity set name=desa-a1-r1\n",
                                "kec-a-r1": "/system identity set name=kec-a-r1\n"}, "backup: 2 of 2 devices")
        telnet = ComplianceFinding("desa-a1-r1", "ros-telnet-disabled", "critical", "missing", [], "why")
        drift = ComplianceFinding("desa-a1-r1", "template", "medium", "2 line(s) differ", ["+ a", "+ b"], "why")
        write_state(AuditReport(1_700_000_000.0, [
            DeviceAudit("desa-a1-r1", "mikrotik_routeros", "desa-a1", "A", DeviceState.DRIFTED, 2, [drift, telnet]),
            DeviceAudit("kec-a-r1", "mikrotik_routeros", "kec-a", "A", DeviceState.COMPLIANT),
            DeviceAudit("desa-a2-r1", "mikrotik_routeros", "desa-a2", "A", DeviceState.UNREACHABLE, error="timeout"),
        ]), repo)
        _, body = get(url, timeout=10)
        assert 'netops_config_compliant{device="desa-a1-r1",kecamatan="A",platform="mikrotik_routeros"} 0.0' in body
        assert 'netops_config_compliant{device="kec-a-r1",kecamatan="A",platform="mikrotik_routeros"} 1.0' in body
        assert 'netops_config_drift_lines{device="desa-a1-r1",kecamatan="A",platform="mikrotik_routeros"} 2.0' in body
        assert ('netops_config_rule_violations{device="desa-a1-r1",kecamatan="A",rule="ros-telnet-disabled",'
                'severity="critical"} 1.0' in body)
        assert 'rule="template"' not in body  # drift is netops_config_drift_lines, not a rule
        assert 'netops_config_audit_unreachable{device="desa-a2-r1"} 1.0' in body
        assert 'device="desa-a2-r1",kecamatan' not in body
        ages = {ln.split('"')[1]: float(ln.split()[-1]) for ln in body.splitlines()
                if ln.startswith("netops_config_backup_age_seconds{")}
        assert set(ages) == {"desa-a1-r1", "kec-a-r1"} and all(0 <= a < 600 for a in ages.values()), ages
        code, problems = promtool_check_metrics(body)
        assert code == 0, problems
    finally:
        exporter.stop()
