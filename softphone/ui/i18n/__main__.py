"""`python -m softphone.ui.i18n`: update the .ts files and compile the .qm files."""

from softphone.ui.i18n import main

raise SystemExit(main())
