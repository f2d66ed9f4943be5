"""Bank file formats, without Django: payment references (ISO 11649), the EPC "SEPA QR"
code, and statement parsers (camt.053/camt.054, MT940, CSV) yielding one
``StatementLine`` per booked movement. Parsers stream and refuse what they cannot read
exactly; they never guess an amount or a reference."""
