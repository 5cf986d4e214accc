"""``python -m tradewire`` runs the command line."""

from tradewire.cli import main

main()
