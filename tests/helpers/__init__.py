"""Importable test helpers: data, workflow steps, registry readers, journey texts."""
