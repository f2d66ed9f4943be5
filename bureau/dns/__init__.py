"""DNS hosting: records, validation, zone files, DNSSEC checks and publishing to PowerDNS.

The modules in this package (and in `bureau.dns.powerdns`) import nothing from Django, so the
benchmark, the tests and other tools can use them alone. The Django app built on top of them
keeps zones and records in the database and publishes them through `bureau.dns.powerdns`.
"""
