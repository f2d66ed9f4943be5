"""Child process: encrypt stdin to the agent and sign it (see crypto.py for why a child)."""

from __future__ import annotations

import os
import sys

from bureau.escrow.crypto import PASSPHRASE_ENV, encrypt_stream


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m bureau.escrow.encryptor AGENT_CERT REGISTRAR_KEY OUTPUT",
              file=sys.stderr)
        return 2
    encrypt_stream(argv[0], argv[1], argv[2], os.environ.get(PASSPHRASE_ENV))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
