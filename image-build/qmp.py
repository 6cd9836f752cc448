#!/usr/bin/python3
"""One QMP command to a QEMU of the boot tests, acknowledged: usage qmp.py SOCKET COMMAND [EVENT].
Exits 0 once QEMU answered the command with "return" and, when EVENT is given, emitted that event
(system_powerdown -> POWERDOWN: the machine got the request); non-zero on an error answer or after 30 s."""
import json
import socket
import sys

sock, command = sys.argv[1], sys.argv[2]
event = sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sock)
f = s.makefile("rwb")
json.loads(f.readline())  # the greeting
for cmd in ("qmp_capabilities", command):
    f.write(json.dumps({"execute": cmd}).encode() + b"\n")
    f.flush()
returns, seen = 0, event is None
while returns < 2 or not seen:
    msg = json.loads(f.readline())
    if "error" in msg:
        sys.exit("QMP %s: %s" % (command, msg["error"]))
    returns += "return" in msg
    seen = seen or msg.get("event") == event
