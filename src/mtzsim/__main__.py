"""`python -m mtzsim` runs the command line."""

from mtzsim.interfaces.cli import main

main()
