"""Classic UI views of zhangdian.approval."""
