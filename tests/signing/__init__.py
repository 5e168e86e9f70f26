"""Tests: signing."""
