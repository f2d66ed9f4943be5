"""The cooperative's use cases, one module each; web pages, admin and tests call these."""
