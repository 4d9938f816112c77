#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check a captured signalling sequence against RFC 8885 §3 as
../shared/spec/requirements.md §4.1-4.4 writes it message by message.

usage: check_signalling.py MODE CMD MAAR... < decoded-lines

The input is what dlifd_lib.sh's signalling() prints (tshark's decoding):
  N SRC DST TYPE SEQ FLAGS STATUS LIFETIME hnp=.. smaar=.. pmaar=A/P,.. mn=..
The MAARs are listed in the order the node visited them; the first is the
initial registration, each later one a handover. For each step, the
messages from the new MAAR's PBU up to the next step are checked: who
sends what to whom, with which flags and options. Prints one line per
problem and exits 1 if there is any.
"""

import sys


class Msg:
    def __init__(self, line):
        f = line.split()
        self.n, self.src, self.dst, self.type, self.seq, self.flags, self.status, self.life = f[:8]
        kv = dict(x.split("=", 1) for x in f[8:])
        self.hnp = [] if kv["hnp"] == "-" else kv["hnp"].split(",")
        self.smaar = None if kv["smaar"] == "-" else kv["smaar"]
        self.pmaar = [] if kv["pmaar"] == "-" else [tuple(x.split("/")) for x in kv["pmaar"].split(",")]
        self.mn = kv["mn"]

    def __str__(self):
        return f"#{self.n} {self.type} {self.src} -> {self.dst} seq {self.seq} flags {self.flags}"


problems = []


def expect(cond, what):
    if not cond:
        problems.append(what)


def find(msgs, start, pred):
    for i in range(start, len(msgs)):
        if pred(msgs[i]):
            return i
    return None


def check_initial(msgs, cmd, maar):
    i = find(msgs, 0, lambda m: m.type == "PBU" and m.src == maar and m.dst == cmd)
    expect(i is not None, f"initial registration: no PBU {maar} -> {cmd}")
    if i is None:
        return
    pbu = msgs[i]
    expect(set("APD") <= set(pbu.flags), f"initial PBU flags {pbu.flags}, want A, P and D")
    expect(pbu.mn != "-" and pbu.hnp, f"initial PBU without MN-ID or HNP: {pbu}")
    j = find(msgs, i + 1, lambda m: m.type == "PBA" and m.src == cmd and m.dst == maar)
    expect(j is not None, f"initial registration: no PBA {cmd} -> {maar}")
    if j is not None:
        pba = msgs[j]
        expect(pba.status == "0", f"initial PBA status {pba.status}")
        expect(set("PD") <= set(pba.flags), f"initial PBA flags {pba.flags}, want P and D")
        expect(pba.seq == pbu.seq, f"initial PBA seq {pba.seq} does not echo the PBU's {pbu.seq}")
        expect(not pba.pmaar, "initial PBA carries a Previous MAAR option")


def check_handover(msgs, mode, cmd, new, previous, start, end):
    """previous: the P-MAARs (every MAAR visited before), in visiting order."""
    where = f"handover to {new} ({mode})"
    window = msgs[start:end]
    pbu = window[0]
    expect(set("APD") <= set(pbu.flags), f"{where}: PBU flags {pbu.flags}")
    expect(bool(pbu.hnp), f"{where}: the S-MAAR's PBU has no HNP")

    def first(pred):
        for k, m in enumerate(window):
            if pred(m):
                return k
        return None

    # The CMD tells every P-MAAR where the node is: PBU with Serving MAAR.
    notified = {}
    for p in previous:
        k = first(lambda m, p=p: m.type == "PBU" and m.src == cmd and m.dst == p)
        expect(k is not None, f"{where}: no PBU {cmd} -> {p}")
        if k is not None:
            m = window[k]
            notified[p] = k
            expect(m.smaar == new, f"{where}: PBU to {p} has Serving MAAR {m.smaar}, want {new}")
            expect("D" in m.flags, f"{where}: the CMD's PBU to {p} lacks the D flag")
    # ... and each P-MAAR answers the CMD, with its prefix and the Serving MAAR.
    answered = {}
    for p in previous:
        k = first(lambda m, p=p: m.type == "PBA" and m.src == p and m.dst == cmd)
        expect(k is not None, f"{where}: no PBA {p} -> {cmd}")
        if k is not None:
            m = window[k]
            answered[p] = k
            expect(m.status == "0", f"{where}: PBA from {p} status {m.status}")
            expect(m.smaar == new, f"{where}: PBA from {p} has Serving MAAR {m.smaar}")
            expect(bool(m.hnp), f"{where}: PBA from {p} has no HNP")
            if p in notified:
                expect(notified[p] < k, f"{where}: {p} answered before it was asked")

    to_new = [k for k, m in enumerate(window) if m.type == "PBA" and m.dst == new]
    from_cmd = [k for k in to_new if window[k].src == cmd]
    if mode in ("relay", "proxy"):
        expect(len(from_cmd) >= 1, f"{where}: no PBA {cmd} -> {new}")
        if from_cmd:
            m = window[from_cmd[0]]
            expect(m.status == "0" and set("PD") <= set(m.flags), f"{where}: PBA to {new}: {m}")
            expect(m.seq == pbu.seq, f"{where}: PBA to {new} seq {m.seq}, PBU seq {pbu.seq}")
            got = {a for a, _ in (pm for k in from_cmd for pm in window[k].pmaar)}
            expect(got == set(previous), f"{where}: Previous MAAR options name {sorted(got)}, "
                   f"want {sorted(previous)}")
            if mode == "relay":
                # Relay: the PBA to the S-MAAR follows the P-MAARs' answers.
                expect(all(a < from_cmd[-1] for a in answered.values()),
                       f"{where}: relay sent the PBA before every P-MAAR answered")
            else:
                # Proxy: the PBA to the S-MAAR does not wait for them.
                expect(all(from_cmd[0] < a for a in answered.values()),
                       f"{where}: proxy waited for the P-MAARs before answering {new}")
    else:  # locator
        # The CMD does not answer the handover PBU: the P-MAARs do. (The
        # S-MAAR's later refresh, which learns the whole list from the CMD,
        # is an exchange of its own, with another sequence number.)
        answered_by_cmd = [k for k in from_cmd if window[k].seq == pbu.seq]
        expect(not answered_by_cmd, f"{where}: locator: the CMD answered the handover PBU")
        for p in previous:
            k = first(lambda m, p=p: m.type == "PBA" and m.src == p and m.dst == new)
            expect(k is not None, f"{where}: locator: no PBA {p} -> {new}")
            if k is not None:
                m = window[k]
                expect(m.status == "0" and m.hnp, f"{where}: locator PBA from {p}: {m}")
                expect(m.seq == pbu.seq, f"{where}: locator PBA from {p} seq {m.seq}, "
                       f"the S-MAAR's PBU seq {pbu.seq}")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    mode, cmd, visits = argv[1], argv[2], argv[3:]
    msgs = [Msg(line) for line in sys.stdin if line.strip()]
    check_initial(msgs, cmd, visits[0])
    starts = []
    for k, new in enumerate(visits[1:], 1):
        prev_start = starts[-1] if starts else 0
        i = find(msgs, prev_start + (1 if starts else 0),
                 lambda m, new=new: m.type == "PBU" and m.src == new and m.dst == cmd)
        expect(i is not None, f"handover to {new}: no PBU {new} -> {cmd}")
        if i is None:
            break
        starts.append(i)
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(msgs)
        previous = list(dict.fromkeys(v for v in visits[:k + 1] if v != visits[k + 1]))
        check_handover(msgs, mode, cmd, visits[k + 1], previous, i, end)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
