#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every reStructuredText document parses without a docutils warning
(malformed tables, literal blocks, unclosed inline markup): such text
renders wrong, silently, in the man pages and on any site.

usage: check-rst.py FILE...
"""

import io
import sys

import docutils.core
import docutils.utils


def check(path):
    report = io.StringIO()
    try:
        docutils.core.publish_doctree(
            open(path, encoding="utf-8").read(), source_path=path,
            settings_overrides={"report_level": 2, "halt_level": 5,
                                "warning_stream": report})
    except docutils.utils.SystemMessage as e:  # pragma: no cover
        report.write(str(e))
    return report.getvalue().strip()


def main(paths):
    bad = 0
    for path in paths:
        problems = check(path)
        if problems:
            print(problems)
            bad += 1
    print(f"check-rst: {len(paths) - bad} of {len(paths)} documents parse cleanly")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
