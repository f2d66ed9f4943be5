"""Child process: encrypt stdin to the agent and sign it (see crypto.py for why a child).

Run as a script (``python -I .../encryptor.py``), not with ``-m``: it imports nothing of
Bureau, so the child starts in a few tens of milliseconds instead of a quarter of a second
(``-m bureau.escrow.encryptor`` would import the whole package first).
"""

from __future__ import annotations

import os
import sys

PASSPHRASE_ENV = "BUREAU_ESCROW_SIGNER_PASSPHRASE"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python encryptor.py AGENT_CERT REGISTRAR_KEY OUTPUT", file=sys.stderr)
        return 2
    import pysequoia

    agent_cert, registrar_key, output = argv
    try:
        recipient = pysequoia.Cert.from_file(agent_cert)
        signer = pysequoia.Tsk.from_file(registrar_key).signer(os.environ.get(PASSPHRASE_ENV))
        pysequoia.encrypt_file("/dev/stdin", output, recipients=[recipient], signer=signer,
                               armor=False)
    except Exception as e:
        print(f"encryption failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
