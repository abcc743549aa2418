"""The fixture world: model repositories and hub servers built from a description.

Tests/Fixtures/world.json describes the world Sediment's demo and integration tests crawl
(six kinds of hubs, their packages, files and LFS objects, and what changes upstream each
"epoch"); the benchmarks describe theirs in bench/worlds/. `World` builds the repositories
of epoch 1, starts the loopback servers, writes the Sediment configuration and applies the
later epochs one at a time. `python3 Tests/Support/world.py --help` drives it from a shell.

Only the Python standard library is used.
"""

from .world import World, FIXTURES  # noqa: F401
