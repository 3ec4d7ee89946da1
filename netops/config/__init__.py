"""Device configuration: render templates, compare, mask, back up, push, restore.

The public face of the package; the CLI and playbooks use these names:

* :func:`plan` / :func:`restore_plan`: running vs intended (or a backup) as a :class:`ChangePlan`
  of masked :class:`Change` items and the commands that make them, with each platform's
  semantics (one dialect module per config syntax, ``netops.config.dialects``);
* :func:`mask` / :func:`clean`: secrets masked as keyed tokens, volatile lines dropped;
* :func:`mask_file` / :func:`compare_files`: the same on config files, no device
  (``netops config mask`` / ``config compare``);
* ``netops.config.jobs``: backup, diff, push and rollback over many devices.
"""

from netops.config.diff import plan, restore_plan
from netops.config.mask import clean, mask
from netops.config.model import Change, ChangePlan
from netops.config.offline import Comparison, ConfigFileError, compare_files, mask_file

__all__ = ["Change", "Comparison", "ConfigFileError", "ChangePlan", "clean", "compare_files", "mask", "mask_file", "plan",
           "restore_plan"]
