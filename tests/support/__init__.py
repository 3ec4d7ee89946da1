"""Test and bench support: real peers started for tests (not part of the netops package)."""
