"""Signing decision PDFs with the approver's PKCS#11 key (PAdES), on the server or via the agent.

Nothing here depends on Plone: `pdf` prepares, completes and verifies signatures, `server`
signs with a token the server reaches, `agent` is the approver's local signing agent,
`pkcs11_worker` serialises every PKCS#11 call, `softhsm` and `timestamps` serve tests and demos.
"""
