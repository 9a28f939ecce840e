"""``python -m ntm_analysis`` runs the ``ntm`` command."""

import sys

from ntm_analysis.cli import main

sys.exit(main())
