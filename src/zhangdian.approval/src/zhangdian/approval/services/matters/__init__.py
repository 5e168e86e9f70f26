"""The @matters endpoint: the published matter list."""
