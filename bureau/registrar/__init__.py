"""The registrar core: Django apps for accounts, registries, contacts, domains and billing,
and the operations (one module per use case) that change domains at registries over EPP."""
