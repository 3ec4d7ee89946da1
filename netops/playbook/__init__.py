"""Playbooks: named, ordered config jobs in ``playbooks/*.yaml``, checked before anything runs."""

from netops.playbook.model import Playbook, PlaybookError, Step, find_playbook, load_playbook
from netops.playbook.run import PlayReport, run_playbook

__all__ = ["Playbook", "PlaybookError", "Step", "load_playbook", "find_playbook", "PlayReport", "run_playbook"]
