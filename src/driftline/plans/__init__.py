"""Explain-plan baselines: capture, check and diff (issue 4)."""
