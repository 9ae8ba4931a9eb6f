"""`python -m app` is `cmas-bot`."""

from app.cli import main

main()
