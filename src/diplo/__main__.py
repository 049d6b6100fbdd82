"""``python -m diplo``: the ``diplo`` command, for environments whose scripts folder is not on PATH."""

import sys

from diplo.cli import main

sys.exit(main())
