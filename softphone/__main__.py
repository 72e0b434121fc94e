"""`python -m softphone` runs the command-line interface; with no arguments in a desktop
session it opens the desktop app (`softphone gui`)."""

import sys

from softphone.cli import default_argv, main

sys.exit(main(default_argv(sys.argv[1:])))
