"""Allow ``python -m clientdesk``."""

from clientdesk.tui.cli import main

raise SystemExit(main())
