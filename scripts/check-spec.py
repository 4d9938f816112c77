#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the YNL spec (Documentation/netlink/specs/dlif.yaml) and the
ABI header (uapi/linux/dlif.h) agree: the family name and version, every
enum value, attribute and command number, in the same order, and that
the kernel's policies (kmod/netlink.c) check what the spec says.

usage: check-spec.py SPEC HEADER NETLINK_C
"""

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


def main(spec_path, header_path, netlink_c_path):
    spec = yaml.safe_load(open(spec_path))
    header = open(header_path).read()
    netlink_c = open(netlink_c_path).read()
    enums = header_enums(header)
    errors = []

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
    value = 0
    for op in spec["operations"]["list"]:
        if "notify" in op:
            continue
        value = op.get("value", value + 1)
        expect(c_name(prefix, op["name"]), value)
        admin = "uns-admin-perm" in op.get("flags", [])
        block = re.search(rf"\.cmd\s*=\s*{c_name(prefix, op['name'])},([^}}]*)\}}", netlink_c)
        if not block:
            errors.append(f"{op['name']}: no genl op in {netlink_c_path}")
        elif admin != ("GENL_UNS_ADMIN_PERM" in block.group(1)):
            errors.append(f"{op['name']}: permission flags differ from the spec")

    for e in errors:
        print(f"check-spec: {e}")
    if not errors:
        print("check-spec: spec, header and policies agree")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
