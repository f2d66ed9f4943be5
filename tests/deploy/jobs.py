"""A job for the queue tests: each run appends one line to a file, so runs can be counted
outside the database that the queue itself keeps."""

from __future__ import annotations

import os

from django_tasks import task


@task()
def note_run(number: int) -> int:
    # One write in append mode: lines from several processes never mix.
    with open(os.environ["DEPLOY_TEST_RUN_LOG"], "a") as log:
        log.write(f"{number} {os.getpid()}\n")
    return number
