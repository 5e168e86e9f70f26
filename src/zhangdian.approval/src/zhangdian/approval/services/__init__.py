"""REST API services of zhangdian.approval."""
