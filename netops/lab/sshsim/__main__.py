"""``python -m netops.lab.sshsim <devices.json>``: serve every device of the spec."""

import asyncio
import sys
from pathlib import Path

from netops.lab.sshsim.server import serve

asyncio.run(serve(Path(sys.argv[1])))
