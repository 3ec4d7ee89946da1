#!/usr/bin/env python3
"""snmpd pass_persist handler serving OIDs from a JSON file the test rewrites.

Runs under the system python3 (snmpd starts it), so it imports only the stdlib.
The file maps dotted OIDs to [type, value]; it is re-read when it changes, so a
test can move counters forward, wrap them or change labels between polls.
"""

import json
import os
import sys

PATH = sys.argv[1]
_cache = {"mtime": None, "oids": [], "data": {}}


def _key(oid):
    return tuple(int(p) for p in oid.strip(".").split("."))


def load():
    try:
        st = os.stat(PATH)
    except OSError:
        return
    stamp = (st.st_mtime_ns, st.st_size)
    if stamp == _cache["mtime"]:
        return
    with open(PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    _cache["data"] = {_key(k): v for k, v in data.items()}
    _cache["oids"] = sorted(_cache["data"])
    _cache["mtime"] = stamp


def reply(oid):
    typ, value = _cache["data"][oid]
    sys.stdout.write("." + ".".join(map(str, oid)) + "\n" + typ + "\n" + str(value) + "\n")


def main():
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        cmd = line.strip().lower()
        if cmd == "ping":
            sys.stdout.write("PONG\n")
        elif cmd in ("get", "getnext"):
            oid = _key(sys.stdin.readline())
            load()
            if cmd == "get":
                if oid in _cache["data"]:
                    reply(oid)
                else:
                    sys.stdout.write("NONE\n")
            else:
                nxt = next((o for o in _cache["oids"] if o > oid), None)
                if nxt is None:
                    sys.stdout.write("NONE\n")
                else:
                    reply(nxt)
        elif cmd == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            sys.stdout.write("not-writable\n")
        else:
            sys.stdout.write("NONE\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
