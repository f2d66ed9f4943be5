"""Registries (EPP endpoints and credentials) and the TLDs Bureau sells at each of them."""
