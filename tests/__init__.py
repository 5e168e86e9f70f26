"""The test suite of zhangdian.approval (a package, so helpers import as tests.helpers.*)."""
