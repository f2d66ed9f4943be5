"""Shared pieces of the Django project: encrypted fields, key files, the job scheduler, the
`run` and `worker` commands."""
