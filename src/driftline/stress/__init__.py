"""The link stress test: stages, histograms, thresholds, the Locust runner and reconciliation."""
