"""`python -m mtzsim.interfaces.cli` runs the command line (as `python -m mtzsim`)."""

from mtzsim.__main__ import main

main()
