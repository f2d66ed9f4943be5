"""Organisations and who may act for them (a person may belong to several)."""
