"""Upgrade steps to profile version 1007, one module per topic."""
