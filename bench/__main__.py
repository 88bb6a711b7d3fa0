"""Run every benchmark: `python -m bench` (add --browser for the page-polling one, --class N for a class, and
--class N --room for a class in one room with its board open, --break for the Break it page, --memory for what long
runs keep in the server's memory, --zip for your own images in a zip)."""

import argparse
import sys

import torch

from bench import (
    break_bench,
    browser_bench,
    class_bench,
    data_bench,
    drawing_bench,
    memory_bench,
    room_bench,
    train_bench,
    zip_bench,
)


def main() -> int:
    """Run the benchmarks; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--browser", action="store_true", help="also measure training with the page open in Chromium")
    parser.add_argument("--class", dest="students", type=int, metavar="N",
                        help="only the class benchmark: N Chromium sessions training on one app")
    parser.add_argument("--servers", type=int, default=1, help="with --class: app servers behind HAProxy (default 1)")
    parser.add_argument("--pace", choices=["slow", "full"], default="slow",
                        help="with --class: the runs' pace (default slow motion, the training page's default)")
    parser.add_argument("--room", action="store_true",
                        help="with --class: the N students join one room and post runs to its board, which is open")
    parser.add_argument("--draw", action="store_true",
                        help="with --class N: the N students draw the class's digits, the teacher's page and the board open")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite",
                        help="with --class N --room or --draw: the class's database (PostgreSQL: a throwaway one on 127.0.0.1)")
    parser.add_argument("--browser-nice", type=int, default=None,
                        help="with --class: run Chromium at this niceness (default: 0 for a class, 5 for a class in a room, "
                             "whose browsers stand for machines of their own)")
    parser.add_argument("--break", dest="break_it", action="store_true",
                        help="only the Break it page: a switch move and a first open in Chromium, on full MNIST "
                             "(with --class N: while N other sessions train, at --pace)")
    parser.add_argument("--memory", action="store_true",
                        help="only what two runs at batch 16 keep in the server's memory over 60 s, and after Stop")
    parser.add_argument("--zip", action="store_true",
                        help="only your own images: a zip of 10,000 prepared, and zip bombs refused")
    args = parser.parse_args()
    if args.zip:
        print("== your own images, in a zip")
        results = zip_bench.run()
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if all(results) else 1
    if args.memory:
        print("== what long runs keep")
        results = memory_bench.run()
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if all(results) else 1
    if args.break_it:
        print("== the Break it page")
        results = break_bench.run(args.students or 0, args.pace)  # with --class N: N sessions training meanwhile
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if all(results) else 1
    if args.students and args.draw:
        print(f"== a class of {args.students} drawing its digits")
        results = drawing_bench.run(args.students, args.store, room_bench.BROWSER_NICE if args.browser_nice is None
                                    else args.browser_nice)
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if all(results) else 1
    if args.students and args.room:
        print(f"== a class of {args.students} in one room")
        nice = room_bench.BROWSER_NICE if args.browser_nice is None else args.browser_nice
        results = room_bench.run(args.students, args.servers, nice, args.store)
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if results and all(results) else 1
    if args.students:
        print(f"== a class of {args.students}")
        results = class_bench.run(args.students, args.servers, args.browser_nice or 0, args.pace)
        print(f"{sum(results)} of {len(results)} targets met")
        return 0 if results and all(results) else 1
    print("== data loading")
    results = data_bench.run()
    print("== your own images, in a zip")
    results += zip_bench.run()
    print("== training engine (CPU)")
    results += train_bench.run("cpu")
    if torch.cuda.is_available():
        print("== training engine (CUDA)")
        results += train_bench.run("cuda")
    if args.browser:
        print("== training with the page open in the browser")
        results += browser_bench.run()
    print(f"{sum(results)} of {len(results)} targets met")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
