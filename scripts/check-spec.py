#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec (Documentation/netlink/specs/dlif.yaml):

- it validates against the schema of its protocol in the kernel's own YNL
  tree (Debian's linux-source-6.12, extracted by scripts/ynl-tree.sh) and
  resolves with that tree's spec library, as cli.py and ynl-gen-c.py load
  it;
- the multicast group the family declares by hand (kmod/netlink.c) has
  the spec's permission flags (the ABI header, the policies and the ops
  are generated from the spec: scripts/ynl-gen.sh --check compares them);
- the notifications it declares are exactly the commands the kernel
  multicasts (dlif_nl_notify_entry() and dlif_nl_notify_binding() calls
  in kmod/*.c), and a YNL client decodes each of those command numbers as
  that notification.

usage: check-spec.py [--ynl DIR] SPEC NETLINK_C
  --ynl DIR   the YNL tree (default: $DLIF_YNL, else $BUILD/ynl, else
              build/ynl); its absence is an error (run: make deps)
"""

import glob
import os
import re
import sys

import yaml


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def op_values(spec):
    """Command number of every operation, as YNL numbers them ("unified"
    model: one counter from 1, an explicit value resets it)."""
    values = {}
    value = 0
    for op in spec["operations"]["list"]:
        value = op.get("value", value + 1)
        values[op["name"]] = value
    return values


def ynl_family(ynl_dir, spec_path, spec, errors):
    """Load the spec with the kernel's YNL library and its schema."""
    lib = os.path.join(ynl_dir, "tools/net/ynl")
    schema = os.path.join(ynl_dir, "Documentation/netlink",
                          spec.get("protocol", "genetlink") + ".yaml")
    if not os.path.isfile(os.path.join(lib, "lib/nlspec.py")) or not os.path.isfile(schema):
        errors.append(f"no YNL tree with {schema} at {ynl_dir} (run: make deps)")
        return None
    sys.path.insert(0, lib)
    try:
        from lib.nlspec import SpecFamily  # pylint: disable=import-outside-toplevel
        return SpecFamily(spec_path, schema)
    except Exception as e:  # jsonschema.ValidationError and spec errors alike
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        errors.append(f"the spec does not validate against {schema}: {first}")
        return None


def kernel_notifications(kmod_dir):
    """The command numbers (by uapi name) the kernel multicasts."""
    cmds = set()
    for path in sorted(glob.glob(os.path.join(kmod_dir, "*.c"))):
        text = open(path).read()
        cmds.update(re.findall(r"dlif_nl_notify_entry\([^,]*,\s*(DLIF_CMD_\w+)", text))
        cmds.update(re.findall(r"dlif_nl_notify_binding\(\s*(DLIF_CMD_\w+)", text))
    return cmds


def main(spec_path, netlink_c_path, ynl_dir):
    spec = yaml.safe_load(open(spec_path))
    netlink_c = open(netlink_c_path).read()
    errors = []

    family = ynl_family(ynl_dir, spec_path, spec, errors)

    # The family and its group are written by hand (netlink.c): the 6.12
    # generator renders no group flags. uns-admin-perm on a group is
    # CAP_NET_ADMIN in the namespace's user namespace to join it, which is
    # GENL_MCAST_CAP_NET_ADMIN.
    for group in spec["mcast-groups"]["list"]:
        define = c_name("dlif-mcgrp-", group["name"])
        block = re.search(rf"\.name\s*=\s*{define},([^}}]*)\}}", netlink_c)
        if not block:
            errors.append(f"multicast group {group['name']}: not in {netlink_c_path}")
        elif ("uns-admin-perm" in group.get("flags", [])) != \
                ("GENL_MCAST_CAP_NET_ADMIN" in block.group(1)):
            errors.append(f"multicast group {group['name']}: permission flags differ from the spec")

    # Notifications: those declared are those the kernel sends. The kernel
    # names them by the request whose effect they report.
    prefix = spec["operations"]["name-prefix"]
    values = op_values(spec)
    ops = {op["name"]: op for op in spec["operations"]["list"]}
    cmd_by_value = {values[op["name"]]: c_name(prefix, op["name"])
                    for op in spec["operations"]["list"]
                    if "notify" not in op and "event" not in op}
    groups = {g["name"] for g in spec["mcast-groups"]["list"]}
    declared = set()
    for op in spec["operations"]["list"]:
        if "notify" not in op and "event" not in op:
            continue
        name, value = op["name"], values[op["name"]]
        cmd = cmd_by_value.get(value)
        if not cmd:
            errors.append(f"notification {name}: command {value} is no request's")
            continue
        declared.add(cmd)
        if op.get("mcgrp") not in groups:
            errors.append(f"notification {name}: no multicast group of the spec")
        if "notify" in op:
            target = ops.get(op["notify"], {})
            if "reply" not in target.get("do", {}):
                errors.append(f"notification {name}: {op['notify']} has no do reply to share")
        if family and not family.rsp_by_value[value].is_async:
            errors.append(f"notification {name}: YNL decodes command {value} as "
                          f"{family.rsp_by_value[value].name}, not as the notification")
    sent = kernel_notifications(os.path.dirname(netlink_c_path))
    for cmd in sorted(sent - declared):
        errors.append(f"the kernel multicasts {cmd}, which the spec declares no notification for")
    for cmd in sorted(declared - sent):
        errors.append(f"the spec declares a {cmd} notification the kernel never sends")

    for e in errors:
        print(f"check-spec: {e}")
    if not errors:
        print("check-spec: the spec validates; its group and notifications match the kernel")
    return 1 if errors else 0


def default_ynl_dir():
    if os.environ.get("DLIF_YNL"):
        return os.environ["DLIF_YNL"]
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(os.environ.get("BUILD") or os.path.join(top, "build"), "ynl")


if __name__ == "__main__":
    args = sys.argv[1:]
    ynl = None
    if len(args) >= 2 and args[0] == "--ynl":
        ynl, args = args[1], args[2:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*args, ynl or default_ynl_dir()))
