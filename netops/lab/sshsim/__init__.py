"""The SSH device simulator: one asyncio process, one SSH listener per device.

Devices keep state: a config line changes the running config that ``show
running-config`` / ``display current-configuration`` / ``/export`` print
afterwards, across sessions. Two engines, driven by ``netops/lab/data/<platform>.yaml``:

* ``indented`` (Cisco IOS, Huawei VRP): exec and config modes, sub-modes opened
  by block commands, ``no``/``undo`` removal, single-valued lines replaced, save.
* ``routeros`` (MikroTik): menus with ``add/set/remove/print/export``,
  ``[find ...]`` selectors, ``/export file=``, ``/import``, ``/file``,
  ``/system scheduler`` whose ``on-event`` really runs after its interval, and
  ``/system reset-configuration run-after-reset=``.

One module per engine (:mod:`.indented`, :mod:`.routeros`), the device that picks its engine from a
table (:mod:`.device`), the SSH server (:mod:`.server`). Run as ``python -m netops.lab.sshsim <devices.json>``.
"""


from netops.lab.sshsim.device import SimDevice
from netops.lab.sshsim.indented import IndentedConfig, IndentedSession
from netops.lab.sshsim.routeros import RosConfig, RosError, RosSession, parse_interval, ros_tokens, split_script

__all__ = ["IndentedConfig", "IndentedSession", "RosConfig", "RosError", "RosSession", "SimDevice", "parse_interval",
           "ros_tokens", "split_script"]
