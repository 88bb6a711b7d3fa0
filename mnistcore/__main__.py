"""Command line: `python -m mnistcore train ...` runs the same engine the page uses."""

import argparse
import json
import sys

from mnistcore import choices, devices
from mnistcore.data import load_dataset
from mnistcore.errors import DataError
from mnistcore.prepare import to_tensors
from mnistcore.train import TRAINED, Event, TrainConfig, train


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line's arguments."""
    parser = argparse.ArgumentParser(prog="python -m mnistcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a model and print its metrics")
    t.add_argument("--dataset", choices=["mnist", "fashion"], default="mnist")
    t.add_argument("--source", default="auto", help='"auto", "sample", "download" or a folder')
    for c in choices.RUN:  # the run's choices, as the page offers them; numbers are free here, to try anything
        if c.field:
            t.add_argument(c.flag, type=c.cast, default=c.default, choices=c.options if c.cast is str else None, help=c.label)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    t.add_argument("--eval-every", type=int, default=0, metavar="STEPS",
                   help="also validate every STEPS steps (default: at each epoch's end only, as the lesson's fit does)")
    t.add_argument("--json", action="store_true", help="end with one line of JSON metrics")
    return parser.parse_args(argv)


def print_event(e: Event) -> None:
    """One human line per validation pass."""
    if e.kind == "eval":
        print(f"epoch {e.epoch:5.2f}  step {e.step:6d}/{e.total_steps}  train loss {e.train_loss:.4f}  "
              f"valid loss {e.valid_loss:.4f}  valid acc {e.valid_accuracy:.2%}  "
              f"{e.images_per_second:,.0f} img/s", flush=True)
    elif e.message:
        print(e.message, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        ds = load_dataset(args.dataset, args.source)
        device = devices.pick(args.device)
    except (DataError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{ds.summary()}\ndevice: {devices.describe(device)}", flush=True)
    config = TrainConfig(**{c.field: getattr(args, c.field) for c in choices.RUN if c.field}, seed=args.seed,
                         eval_every=max(0, args.eval_every))
    result = train(config, to_tensors(ds, device), on_event=print_event)
    metrics = result.metrics() | {"device": str(device), "device_name": devices.describe(device),
                                  "dataset": ds.name, "n_train": len(ds.x_train), "n_valid": len(ds.x_valid)}
    if args.json:
        print(json.dumps(metrics))
    else:
        print(f"{result.status}: valid accuracy {result.valid_accuracy:.2%} in {result.seconds:.1f} s")
    return 0 if result.status in TRAINED else 1  # overshot trained to its end: a result, with its word printed


if __name__ == "__main__":
    sys.exit(main())
