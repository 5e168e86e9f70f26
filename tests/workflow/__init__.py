"""Tests: workflow."""
