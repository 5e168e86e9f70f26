"""Tests: restapi."""
