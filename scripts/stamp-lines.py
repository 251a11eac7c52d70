#!/usr/bin/env python3
"""Copy stdin to stdout line by line, each line behind the seconds since
this program started ("12.345 TEXT"), as the line arrives. run-guest.sh
puts it on the guest's result port, so that the host's clock times every
test the guest reports, at no cost inside the guest."""

import sys
import time


def main():
    start = time.monotonic()
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        out.write(b"%.3f " % (time.monotonic() - start) + line)
        out.flush()


if __name__ == "__main__":
    main()
