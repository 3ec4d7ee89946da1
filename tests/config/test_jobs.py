"""Pure parts of the config jobs: how a command's answer is judged."""

from __future__ import annotations

import pytest

from netops.config.jobs import _rejected
from netops.platforms import get_platform

LOG = """ 0 jan/02 10:00:01 system,info router rebooted
 1 jan/02 10:00:05 script,error syntax error (line 3 column 7)
 2 jan/02 10:01:00 system,info,account user netops logged in
 3 jan/02 10:02:00 interface,info ether1 link up
"""


@pytest.mark.parametrize("platform,output,rejected", [
    ("cisco_ios", "                      ^\n% Invalid input detected at '^' marker.\n", True),
    ("cisco_ios", "Cisco IOS Software, Version 16.9.4\nuptime is 3 weeks\n", False),
    ("mikrotik_routeros", "bad command name nope (line 1 column 2)\n", True),
    ("mikrotik_routeros", "expected end of command (line 1 column 19)\n", True),
    ("mikrotik_routeros", LOG, False),  # the router's log quoting an error is data, not a refusal
    ("huawei_vrp", "                ^\nError: Unrecognized command found at '^' position.\n", True),
    ("frr", "% Unknown command: show nope\n", True),
])
def test_a_refusal_is_judged_by_the_first_lines(platform: str, output: str, rejected: bool) -> None:
    assert _rejected(output, get_platform(platform)) is rejected
