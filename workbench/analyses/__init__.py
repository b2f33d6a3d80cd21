"""Analyses built on the one evaluator and the model: questions about a workspace, matrices, graphs."""
