"""The front page, the desks, the staff menu and the bureau's look."""
