"""``python -m devstack`` runs the local stack; ``python -m devstack migrate`` only
applies the read-model migrations."""

from __future__ import annotations

import argparse
import sys

from core.logging import configure_logging
from core.settings import get_settings
from devstack.launcher import Stack
from store.migrate import upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", nargs="?", choices=["run", "migrate"], default="run")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings, "devstack")
    if args.command == "migrate":
        upgrade(settings.sqlalchemy_url)
        return 0
    return Stack(settings).run()


if __name__ == "__main__":
    sys.exit(main())
