"""Signing decision PDFs with the approver's PKCS#11 key (PAdES), on the server or via the agent.

Nothing here depends on Plone: `pdf` prepares, completes and verifies signatures, `server`
signs with a token the server reaches, `softhsm` and `timestamps` serve tests and demos. The
token itself, the PKCS#11 worker thread and the approver's local agent are the separate
distribution zhangdian.signer, which the portal imports and never the other way round.
"""
