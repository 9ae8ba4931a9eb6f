"""The composition root: settings, the `cmas-bot` command line, and wiring of core, adapters and storage."""
