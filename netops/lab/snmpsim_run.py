"""Run snmpsim's command responder with its per-endpoint data selection working.

snmpsim 1.2 overrides ``handleMgmtOperation``, a name pysnmp 7 no longer calls
(it calls ``handle_management_operation``), so the data file would never be
chosen by the endpoint a request arrived on. This entry point adds the new
name to snmpsim's responder classes and then runs snmpsim unchanged.
"""

from __future__ import annotations

import sys
from hashlib import md5
from typing import Any

from pysnmp import error as pysnmp_error
from snmpsim import datafile
from snmpsim.commands import responder as R


def probe_context(responder: Any, snmp_engine: Any) -> Any:
    """Pick the data file from the endpoint (transport id) and community/context of the request."""
    ctx = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
    domain, address = ctx["transportDomain"], ctx["transportAddress"]
    engine_id, context_name = ctx["contextEngineId"], ctx["contextName"].prettyPrint()
    engine_label = datafile.SELF_LABEL if engine_id == snmp_engine.snmpEngineID else engine_id.prettyPrint()
    for candidate in datafile.probe_context(domain, address, engine_label, context_name):
        name = md5(candidate).hexdigest() if len(candidate) > 32 else candidate
        try:
            responder.snmpContext.get_mib_instrum(name)
        except pysnmp_error.PySnmpError:
            continue
        return name
    try:
        responder.snmpContext.get_mib_instrum(context_name)
    except pysnmp_error.PySnmpError:
        raise R.NoDataNotification() from None
    return context_name


def _patched(base: Any) -> Any:
    def handle_management_operation(self: Any, snmp_engine: Any, state_reference: Any,
                                    context_name: Any, pdu: Any, *rest: Any) -> None:
        try:
            context = probe_context(self, snmp_engine)
        except R.NoDataNotification:
            self.release_state_information(state_reference)
            return
        base.handle_management_operation(self, snmp_engine, state_reference, context, pdu)

    return handle_management_operation


def patch() -> None:
    for name in ("GetCommandResponder", "SetCommandResponder", "NextCommandResponder", "BulkCommandResponder"):
        cls = getattr(R, name)
        cls.handle_management_operation = _patched(cls.__mro__[1])


def quiet() -> None:
    """snmpsim logs its v3 keys at info level: keep only errors, so secrets never reach a log."""
    R.log.info = lambda *args, **kwargs: None
    R.log.debug = lambda *args, **kwargs: None


if __name__ == "__main__":
    patch()
    quiet()
    sys.exit(R.main())
