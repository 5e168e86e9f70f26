"""Tests: application."""
