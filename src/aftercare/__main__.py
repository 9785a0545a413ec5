"""`python -m aftercare`: the same as the `aftercare` command."""

from aftercare.cli import main

raise SystemExit(main())
