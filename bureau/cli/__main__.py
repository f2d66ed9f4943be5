"""`python -m bureau.cli`: the `bureau` command without its installed script."""

from bureau.cli import main

main()
