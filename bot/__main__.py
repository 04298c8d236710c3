"""`python -m bot` is the `agentops` command."""

import sys

from bot.cli import main

sys.exit(main())
