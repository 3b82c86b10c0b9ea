"""``python -m tafagent`` runs the ``taf`` command."""

from tafagent.cli.main import main

raise SystemExit(main())
