"""`python -m remem.cli`, the same as `remem`."""

from remem.cli import main

main(prog_name="remem")
