"""The `wushe` command line: run the platform and operate it."""
