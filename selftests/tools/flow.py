#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A long-lived TCP flow for the roaming tests: it must survive handovers.

  flow.py server PORT STATUS_FILE
      Accept connections; echo every line back; keep, per connection, the
      peer address, the bytes received and whether it ended (and how) in
      STATUS_FILE (JSON, rewritten on every change).
  flow.py client ADDRESS PORT STATUS_FILE [--source ADDR] [--interval S]
      Connect (from --source if given), then send a numbered line every
      interval and read its echo; STATUS_FILE records the local address,
      the lines echoed and the last error. Exits 1 when the connection
      breaks (reset, timeout of 30 s, wrong echo).
"""

import json
import os
import select
import socket
import sys
import time


def write_status(path, status):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(status, f)
    os.replace(tmp, path)


def server(port, path):
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("::", port))
    listener.listen(16)
    conns = {}
    status = {}
    write_status(path, status)
    while True:
        readable, _, _ = select.select([listener] + list(conns), [], [], 1.0)
        for sock in readable:
            if sock is listener:
                conn, peer = listener.accept()
                key = f"{peer[0]}:{peer[1]}"
                conns[conn] = key
                status[key] = {"peer": peer[0], "bytes": 0, "ended": None}
            else:
                key = conns[sock]
                try:
                    data = sock.recv(65536)
                    if data:
                        sock.sendall(data)
                        status[key]["bytes"] += len(data)
                        continue
                    status[key]["ended"] = "closed"
                except OSError as e:
                    status[key]["ended"] = e.strerror or str(e)
                sock.close()
                del conns[sock]
        write_status(path, status)


def client(address, port, path, source=None, interval=0.2):
    status = {"local": None, "echoed": 0, "error": None}
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.settimeout(30)
    try:
        if source:
            sock.bind((source, 0))
        sock.connect((address, port))
        status["local"] = sock.getsockname()[0]
        write_status(path, status)
        n = 0
        buf = b""
        while True:
            n += 1
            line = f"line {n}\n".encode()
            sock.sendall(line)
            while b"\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    raise OSError("connection closed by the server")
                buf += chunk
            echoed, _, buf = buf.partition(b"\n")
            if echoed + b"\n" != line:
                raise OSError(f"wrong echo {echoed!r}")
            status["echoed"] = n
            write_status(path, status)
            time.sleep(interval)
    except OSError as e:
        status["error"] = e.strerror or str(e)
        write_status(path, status)
        return 1


def main(argv):
    if len(argv) >= 4 and argv[1] == "server":
        return server(int(argv[2]), argv[3])
    if len(argv) >= 5 and argv[1] == "client":
        args = argv[5:]
        source = args[args.index("--source") + 1] if "--source" in args else None
        interval = float(args[args.index("--interval") + 1]) if "--interval" in args else 0.2
        return client(argv[2], int(argv[3]), argv[4], source, interval)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
