"""`python -m kg` is the `dxkg` command."""

from kg.cli import main

main()
