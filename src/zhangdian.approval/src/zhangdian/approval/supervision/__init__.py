"""Supervision of the approvers: quarterly spot checks and the annual assessment."""
