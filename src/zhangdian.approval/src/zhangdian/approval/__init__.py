"""zhangdian.approval: independent approval (独立审批) on Plone 6.2."""

from zope.i18nmessageid import MessageFactory

import logging


PACKAGE_NAME = "zhangdian.approval"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)
