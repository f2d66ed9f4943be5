"""Contacts: holder profiles, validated, with the handle each registry gave them."""
