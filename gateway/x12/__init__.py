"""X12 syntax only: streaming reader, envelopes, validation, acknowledgements and writer.

Nothing in this package knows what a load tender or a shipment status means.
"""
