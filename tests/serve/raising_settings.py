"""Bureau's settings with one more page, which fails: what an error looks like in the logs."""

from bureau.settings import *  # noqa: F403

ROOT_URLCONF = "raising_urls"
