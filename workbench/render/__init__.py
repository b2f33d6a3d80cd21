"""Renderers: pure functions from results to text, JSON, DOT and HTML."""
