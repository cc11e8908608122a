"""Signing keys: read them; rotate only when asked (receivers must learn the new keys)."""

import sys

from upstash_qstash import Client

with Client() as client:
    keys = client.signing_keys.get()
    print("current:", keys.current)
    print("next:   ", keys.next)
    if "--rotate" in sys.argv:
        rotated = client.signing_keys.rotate()
        print("rotated; current is now", rotated.current)
