"""Speed and memory benchmarks: `python benchmarks/run.py NAME [--json]`.

Each benchmark lives in ``benchmarks/bench_NAME.py`` and defines ``run(args) -> dict``;
this script dispatches and prints the figures (a table, or one JSON object with --json).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv=None) -> int:
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", choices=names + ["all"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    args = parser.parse_args(argv)
    todo = names if args.name == "all" else [args.name]
    results = {}
    for name in todo:
        module = importlib.import_module(f"bench_{name}")
        results[name] = module.run(args)
    out = results if len(todo) > 1 else results[todo[0]]
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for name, figures in results.items():
            print(f"== {name}")
            for key, value in figures.items():
                print(f"  {key:32s} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
