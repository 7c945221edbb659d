"""``python -m companion`` runs the ``holdspace`` command."""

import sys

from companion.cli import main

sys.exit(main())
