"""DNS hosting use cases, one module each, called alike by the portal, the API and the jobs.

- zones.py: create a hosted zone (standalone or for a domain), delete it
- hosting.py: a name registered with Bureau's name servers gets its zone (registration hook)
- records.py: edit records in a batch (one PATCH), with validation of the whole zone
- zonefiles.py: import and export zone files
- templates.py: apply and remove templates
- history.py: undo a change
- dnssec.py: DS to the registry, key rollover, DS/DNSKEY entered for names hosted elsewhere
- health.py: health checks and secondaries' serials
- publishing.py: create a zone in PowerDNS, make PowerDNS's copy equal to the database's
- reconcile.py: make PowerDNS (and the registry's DS) match the source of truth

Errors are `bureau.registrar.operations.errors.OperationError` subclasses (see errors.py), so
the edges show them the same way as the registrar's.
"""
