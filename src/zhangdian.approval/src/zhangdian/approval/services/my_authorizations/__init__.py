"""The @my-authorizations endpoint."""
