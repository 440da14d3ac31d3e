"""The gateway's published JSON contracts: committed JSON Schema files (tms/v1, portal/v1)
generated from the pydantic wire models by `python -m gateway.contracts.generate`."""
