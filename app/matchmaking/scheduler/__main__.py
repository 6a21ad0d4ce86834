"""``python -m app.matchmaking.scheduler``."""

import sys

from .cli import main

sys.exit(main())
