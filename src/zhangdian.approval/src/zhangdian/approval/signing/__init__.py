"""Signing decision PDFs with the approver's PKCS#11 key (PAdES), on the server or via the agent.

One concept per module: `prepare` prepares and completes a signature, `state` carries what
`complete` needs between the two, `appearance` draws the visible stamp, `verify` checks a
signed PDF, `timestamps` is the RFC 3161 client and `routes` the offered signing routes. The
token itself, the PKCS#11 worker thread and the approver's local agent are the separate
distribution zhangdian.signer, which the portal imports and never the other way round.
"""
