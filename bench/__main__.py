"""`python -m bench`: time Scrutiny's main pages on a synthetic data set.

Needs nothing running: it makes a temporary SQLite database and starts a
private redis-server, unless given BENCH_DATABASE_URL (a scratch database is
created beside it and dropped afterwards) or REDIS_URL.
"""
from __future__ import annotations

import argparse

from bench import pages, report


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=positive, default=200,
                        help="synthetic topic groups in the large data set (default 200; "
                             f"/groups is also timed at {pages.SMALL_GROUPS})")
    parser.add_argument("--requests", type=positive, default=300, help="timed requests per page (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first (default 20)")
    parser.add_argument("--members", type=positive, default=6, help="members per group besides the chair (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data set (default 1)")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)

    results = pages.run(groups=args.groups, requests=args.requests, warmup=args.warmup,
                        seed=args.seed, members=args.members)
    print(report.table(results))
    if args.json:
        print()
        print(report.as_json(results))


if __name__ == "__main__":
    main()
