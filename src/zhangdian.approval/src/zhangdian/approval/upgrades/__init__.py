"""Upgrade steps: one folder per profile version (v1001, v1002, …)."""
