"""The rate limit's counters: lookups per client address and window, shared by every web
process and machine through the database (bureau/rdap/ratelimit.py counts and forgets them)."""

from django.db import models


class RateCount(models.Model):
    pk = models.CompositePrimaryKey("client", "until")
    client = models.CharField(max_length=45)  # an IPv4 or IPv6 address
    until = models.BigIntegerField()  # end of the window, in seconds since the epoch
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.client}: {self.hits} until {self.until}"
