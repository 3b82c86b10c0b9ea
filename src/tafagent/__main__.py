"""``python -m tafagent`` runs the ``taf`` command."""

from .cli.main import main

raise SystemExit(main())
