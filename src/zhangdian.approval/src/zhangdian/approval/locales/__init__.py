"""Translation catalogues (zh_CN, en) of zhangdian.approval."""
