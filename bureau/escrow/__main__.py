import sys

from bureau.escrow.cli import main

sys.exit(main())
