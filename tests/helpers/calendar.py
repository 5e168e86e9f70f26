"""Calendar test data shared by the unit and the control-panel tests."""

# A whole year as the State Council's notice writes it (test data, not the 2027 notice).
HOLIDAYS_2027 = [
    "2027-01-01 至 2027-01-03 元旦",
    "2027-02-05 至 2027-02-12 春节",
    "2027-04-03 至 2027-04-05 清明节",
    "2027-05-01 至 2027-05-05 劳动节",
    "2027-06-09 端午节",
    "2027-09-15 中秋节",
    "2027-10-01 至 2027-10-07 国庆节",
]
