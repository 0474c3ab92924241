#!/bin/sh
# Debian's python3 with python3-yaml (./dev installs both).
exec /usr/bin/python3 "$(dirname "$0")/check.py"
