#!/usr/bin/env python3
"""Builds and runs a fixture world (Tests/Fixtures/world.json unless --description).

    world.py up WORK [--description FILE] [--set NAME=VALUE]... [--bytes-log FILE]
        builds epoch 1 under WORK, starts its servers (detached) and writes
        WORK/sediment.toml; prints what it built and the servers' addresses
    world.py advance WORK      applies the next epoch upstream; prints what changed
    world.py config WORK OUT [--set NAME=VALUE]...
                               writes the configuration again to OUT with other values
    world.py head WORK REPOSITORY EPOCH
                               the head commit REPOSITORY (e.g. hub:google-bert/bert-tiny)
                               had after EPOCH
    world.py url WORK KIND     the base URL of the "hub" or "git" server
    world.py down WORK         stops the servers

Only the Python standard library is used.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_world import World  # noqa: E402  (sibling package, path set just above)


def assignments(pairs):
    values = {}
    for pair in pairs or []:
        name, _, text = pair.partition("=")
        try:
            values[name] = json.loads(text)
        except ValueError:
            values[name] = text
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build and run a fixture world.")
    parser.add_argument("command", choices=["up", "advance", "config", "head", "url", "down"])
    parser.add_argument("work")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--description")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE")
    parser.add_argument("--bytes-log")
    args = parser.parse_args(argv)
    world = World(args.work, args.description, assignments(args.set) if args.command == "up" else None)
    if args.command == "up":
        for line in world.up(bytes_log=args.bytes_log):
            print(line)
        for kind, port in sorted(world.state["ports"].items()):
            print("server %s: http://127.0.0.1:%d (pid %d)" % (kind, port, world.state["pids"][kind]))
    elif args.command == "advance":
        for line in world.advance():
            print(line)
    elif args.command == "config":
        world.write_config(args.rest[0], assignments(args.set))
    elif args.command == "head":
        head = world.head(args.rest[0], args.rest[1])
        if not head:
            sys.exit("no head of %s after epoch %s" % (args.rest[0], args.rest[1]))
        print(head)
    elif args.command == "url":
        print(world.variables()[args.rest[0]])
    else:
        world.down()


if __name__ == "__main__":
    main()
