"""Tests: spreadsheet."""
