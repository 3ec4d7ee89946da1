"""netops lab: a simulated intranet (SSH devices, SNMP agents, FRR, VSAT latency) for any inventory."""

from netops.lab.lab import Lab, impair, status, teardown
from netops.lab.plan import LabError

__all__ = ["Lab", "LabError", "impair", "status", "teardown"]
