"""The @authorization-check endpoint."""
