"""Command-line tool: ``python manage.py COMMAND``. Run ``python manage.py --help`` for the list."""

from __future__ import annotations

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
