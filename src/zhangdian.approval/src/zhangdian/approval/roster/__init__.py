"""The approver roster: authorisation lifecycle, reminders, certificate binding, queries."""
