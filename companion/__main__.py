"""``python -m companion`` runs the ``holdspace`` command."""

import sys

from companion.cli.main import main

sys.exit(main())
