"""Tests: setup."""
