"""Casework: registering, numbering, queueing, securing and deciding applications."""
