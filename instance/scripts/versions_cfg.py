"""Write buildout's [versions] from constraints.txt, so buildout and pip use the same pins.

Usage: python instance/scripts/versions_cfg.py constraints.txt > versions.cfg
"""

import re
import sys


# Buildout's own parts are not dependencies of the add-on, so they are pinned here.
BUILDOUT_PINS = {
    "zc.buildout": "6.0.1",
    "zc.recipe.egg": "6.0.0",
    "plone.recipe.zope2instance": "9.1.0",
    "ZEO": "6.2",
    "zdaemon": "5.2.1",
    "python-dotenv": "1.2.4",
}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def main(path):
    """Print versions.cfg for the pins in `path`."""
    pins = {}
    with open(path, encoding="utf-8") as constraints:
        for line in constraints:
            match = PIN.match(line.strip())
            if match:
                pins[match.group(1)] = match.group(2)
    pins.update(BUILDOUT_PINS)
    print("# Generated from constraints.txt by `make constraints`; do not edit by hand.")  # noqa: T201
    print("[versions]")  # noqa: T201
    for name in sorted(pins, key=str.lower):
        print(f"{name} = {pins[name]}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
