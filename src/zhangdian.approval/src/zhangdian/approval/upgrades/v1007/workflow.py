"""1007: the application workflow gains the transfer to the ordinary procedure (转为一般程序)."""

PROFILE = "profile-zhangdian.approval:default"


def add_transfer_to_ordinary(setup):
    """Import the workflows: a new state and transition; no existing case changes state."""
    setup.runImportStepFromProfile(PROFILE, "workflow")
