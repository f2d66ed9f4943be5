"""Operations: one module per use case, called alike by the web, the API, the CLI and jobs.

Each module's docstring lists the errors it raises (see errors.py); each stores the domain,
its history and the money in one transaction, and settles unknown EPP outcomes with an info.
"""
