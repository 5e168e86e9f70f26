"""Pure rules: who may decide, what a decision needs, deadlines, working days, identifiers."""
