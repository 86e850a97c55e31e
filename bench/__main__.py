"""`python -m bench [--only prefix,prefix]`: JSON lines on stdout, progress on stderr (see ../shared/BENCH.md)."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench.benchmarks import BENCHMARKS, run


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", default="", help="comma-separated name prefixes, e.g. registry,http")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        for name, fn in BENCHMARKS:
            print(f"{name:32} {fn.__doc__.strip().splitlines()[0]}")
        return
    run([p.strip() for p in args.only.split(",") if p.strip()])


if __name__ == "__main__":
    main()
