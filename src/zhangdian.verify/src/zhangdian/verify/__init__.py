"""zhangdian.verify: offline checks of the portal's evidence, trusting neither it nor its DB."""
