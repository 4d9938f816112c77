#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the YNL spec (Documentation/netlink/specs/dlif.yaml):

- it validates against the schema of its protocol in the kernel's own YNL
  tree (Debian's linux-source-6.12, extracted by scripts/ynl-tree.sh) and
  resolves with that tree's spec library, as cli.py and ynl-gen-c.py load
  it;
- it agrees with the ABI header (uapi/linux/dlif.h): the family name and
  version, every enum value, attribute and command number, in the same
  order;
- the kernel's policies and ops (kmod/netlink.c) check what the spec says,
  permissions included (the multicast groups' too);
- the notifications it declares are exactly the commands the kernel
  multicasts (dlif_nl_notify_entry() calls in kmod/*.c), each on its
  declared group, and a YNL client decodes each of those command numbers
  as that notification.

usage: check-spec.py [--ynl DIR] SPEC HEADER NETLINK_C
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


def header_enums(text):
    """Map of enum member name -> value, in declaration order per enum."""
    values = {}
    for body in re.findall(r"enum\s*\w*\s*\{([^}]*)\}", text):
        value = -1
        for item in re.sub(r"/\*.*?\*/", "", body, flags=re.S).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            value = int(expr.strip(), 0) if expr.strip() else value + 1
            values[name.strip()] = value
    return values


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
    return cmds


def main(spec_path, header_path, netlink_c_path, ynl_dir):
    spec = yaml.safe_load(open(spec_path))
    header = open(header_path).read()
    netlink_c = open(netlink_c_path).read()
    enums = header_enums(header)
    errors = []

    family = ynl_family(ynl_dir, spec_path, spec, errors)

    def expect(name, value):
        if name not in enums:
            errors.append(f"{name} is in the spec but not in {header_path}")
        elif enums[name] != value:
            errors.append(f"{name} = {enums[name]} in the header, {value} in the spec")

    if f'#define DLIF_GENL_NAME\t\t"{spec["name"]}"' not in header:
        errors.append("DLIF_GENL_NAME differs from the spec's name")
    for group in spec["mcast-groups"]["list"]:
        if f'"{group["name"]}"' not in header:
            errors.append(f"multicast group {group['name']} missing from the header")
        # uns-admin-perm on a group: CAP_NET_ADMIN in the namespace's user
        # namespace to join it, which is GENL_MCAST_CAP_NET_ADMIN.
        define = c_name("dlif-mcgrp-", group["name"])
        block = re.search(rf"\.name\s*=\s*{define},([^}}]*)\}}", netlink_c)
        if not block:
            errors.append(f"multicast group {group['name']}: not in {netlink_c_path}")
        elif ("uns-admin-perm" in group.get("flags", [])) != \
                ("GENL_MCAST_CAP_NET_ADMIN" in block.group(1)):
            errors.append(f"multicast group {group['name']}: permission flags differ from the spec")

    for definition in spec["definitions"]:
        if definition["type"] == "const":
            m = re.search(rf"#define\s+{c_name('dlif-', definition['name'])}\s+(\d+)", header)
            if not m or int(m.group(1)) != definition["value"]:
                errors.append(f"constant {definition['name']} differs")
        elif definition["type"] == "enum":
            start = definition.get("value-start", 0)
            for i, entry in enumerate(definition["entries"]):
                expect(c_name(f"dlif-{definition['name']}-", entry["name"]), start + i)

    for aset in spec["attribute-sets"]:
        value = 0
        for attr in aset["attributes"]:
            value = attr.get("value", value + 1)
            name = c_name(aset["name-prefix"], attr["name"])
            expect(name, value)
            checks = attr.get("checks", {})
            # The kernel policy line of this attribute must enforce the checks.
            line = re.search(rf"\[{name}\]\s*=\s*([^\n]*)", netlink_c)
            if checks and not line:
                errors.append(f"{name}: no policy in {netlink_c_path}")
                continue
            if "exact-len" in checks and not re.search(
                    r"NLA_POLICY_(EXACT_LEN\((sizeof\(struct in6_addr\)|%d)\)|ETH_ADDR)" % checks["exact-len"],
                    line.group(1)):
                errors.append(f"{name}: policy does not check exact length {checks['exact-len']}")
            if "max" in checks and "min" not in checks and f"NLA_POLICY_MAX(NLA_{attr['type'].upper()}, {checks['max']})" not in line.group(1):
                errors.append(f"{name}: policy does not check max {checks['max']}")
            if "min" in checks and "max" not in checks and f"NLA_POLICY_MIN(NLA_{attr['type'].upper()}, {checks['min']})" not in line.group(1):
                errors.append(f"{name}: policy does not check min {checks['min']}")
            if "min" in checks and "max" in checks and "NLA_POLICY_RANGE" not in line.group(1):
                errors.append(f"{name}: policy does not check the range")

    prefix = spec["operations"]["name-prefix"]
    values = op_values(spec)
    ops = {op["name"]: op for op in spec["operations"]["list"]}
    for op in spec["operations"]["list"]:
        if "notify" in op or "event" in op:
            continue
        expect(c_name(prefix, op["name"]), values[op["name"]])
        block = re.search(rf"\.cmd\s*=\s*{c_name(prefix, op['name'])},([^}}]*)\}}", netlink_c)
        if not block:
            errors.append(f"{op['name']}: no genl op in {netlink_c_path}")
            continue
        for flag in ("admin-perm", "uns-admin-perm"):
            if (flag in op.get("flags", [])) != (c_name("genl-", flag) in block.group(1)):
                errors.append(f"{op['name']}: permission flags differ from the spec")

    # Notifications: those declared are those the kernel sends.
    cmd_by_value = {v: k for k, v in enums.items() if k.startswith("DLIF_CMD_")}
    groups = {g["name"] for g in spec["mcast-groups"]["list"]}
    declared = set()
    for op in spec["operations"]["list"]:
        if "notify" not in op and "event" not in op:
            continue
        name, value = op["name"], values[op["name"]]
        cmd = cmd_by_value.get(value)
        if not cmd:
            errors.append(f"notification {name}: command {value} is not in {header_path}")
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
        print("check-spec: spec, header and policies agree")
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
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*args, ynl or default_ynl_dir()))
