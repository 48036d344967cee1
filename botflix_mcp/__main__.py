"""`python -m botflix_mcp` is the `botflix-mcp` console script."""

from botflix_mcp.cli import main

raise SystemExit(main())
