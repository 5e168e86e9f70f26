"""Event subscribers of zhangdian.approval."""
