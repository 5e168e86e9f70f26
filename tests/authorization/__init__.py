"""Tests: authorization."""
