"""Loaders: the only layer that reads files (scenarios, policies, AWS exports)."""
