"""Pure mappings between wire formats and the canonical model: one module per message and direction.

No I/O here: every function takes values and returns values (warnings included).
"""
