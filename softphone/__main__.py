"""`python -m softphone` runs the command-line interface."""

import sys

from softphone.cli import main

sys.exit(main())
