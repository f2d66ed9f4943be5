"""Portal views: thin, each one reads a form, calls an operation and shows the outcome."""
