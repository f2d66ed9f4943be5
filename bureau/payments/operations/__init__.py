"""Use cases of payments, the same for the portal, the API, the command line and jobs."""
