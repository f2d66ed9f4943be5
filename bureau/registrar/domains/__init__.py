"""Domains, their hosts, DS records, bundled names and append-only history."""
