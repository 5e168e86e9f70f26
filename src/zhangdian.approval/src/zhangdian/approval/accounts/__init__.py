"""Portal accounts: login throttling (a PAS plugin), its state and its unlock."""
