"""Test support: real broker and databases, the services as processes."""
