"""Helpers the tests share: generated workspaces, hypothesis strategies for scenarios, and the
adapter that lets the reference evaluator answer in the expectation format."""
