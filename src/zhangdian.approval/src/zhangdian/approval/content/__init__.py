"""Content types of zhangdian.approval."""
