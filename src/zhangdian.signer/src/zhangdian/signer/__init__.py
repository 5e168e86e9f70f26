"""zhangdian-signer: the approver's local signing agent in front of a PKCS#11 USB key.

Nothing here imports Plone or Zope: `token` signs with the key, `pkcs11_worker` serialises
every PKCS#11 call, `agent` is the HTTP server the portal's page talks to, `confirm` the
window that asks the approver, `errors` what all of them report.
"""
