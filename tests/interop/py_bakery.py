#!/usr/bin/env python3
"""A thin command line over the PyPI `openbadges-bakery` for Emblem's interop tests.

    py_bakery.py bake <in-image> <payload-file> <out-image>
    py_bakery.py unbake <in-image>                  prints the payload, nothing added
    py_bakery.py time <payload-file> <image> <baked-image>
        prints "<bake µs> <unbake µs>": in-process timeit (best of 5 repeats of an
        auto-ranged loop), on in-memory files; interpreter start-up is not counted.

The payload is passed to the baker as the string it is (the library writes it as-is). The
baker is loaded from $EMBLEM_INTEROP_DIR/py (default <repo>/target/interop/py), where
tests/interop/setup.sh installs it.
"""

import io
import os
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.environ.get("EMBLEM_INTEROP_DIR") or os.path.join(HERE, "..", "..", "target", "interop")
sys.path.insert(0, os.path.join(INTEROP, "py"))

try:
    import openbadges_bakery
except ImportError as e:
    sys.exit(f"py_bakery: openbadges-bakery (PyPI) is not installed in {INTEROP}/py ({e}); "
             "run tests/interop/setup.sh")


def read(path, mode="rb"):
    with open(path, mode, encoding=None if "b" in mode else "utf-8") as f:
        return f.read()


def bake(image, payload, out):
    with open(image, "rb") as src, open(out, "w+b") as dst:
        openbadges_bakery.bake(src, payload, dst)


def unbake(image):
    with open(image, "rb") as src:
        found = openbadges_bakery.unbake(src)
    if found is None:
        sys.exit(f"py_bakery: no badge found in {image}")
    if isinstance(found, bytes):
        found = found.decode("utf-8")
    sys.stdout.buffer.write(found.encode("utf-8"))


def best_us(fn):
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def time(payload_path, image_path, baked_path):
    payload = read(payload_path, "r")
    image = read(image_path)
    baked = read(baked_path)
    bake_us = best_us(lambda: openbadges_bakery.bake(io.BytesIO(image), payload, io.BytesIO()))
    unbake_us = best_us(lambda: openbadges_bakery.unbake(io.BytesIO(baked)))
    print(f"{bake_us:.1f} {unbake_us:.1f}")


def main(argv):
    if len(argv) == 4 and argv[0] == "bake":
        bake(argv[1], read(argv[2], "r"), argv[3])
    elif len(argv) == 2 and argv[0] == "unbake":
        unbake(argv[1])
    elif len(argv) == 4 and argv[0] == "time":
        time(argv[1], argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
