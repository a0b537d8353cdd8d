"""The command line, one thin module per command group: parse, call the library, print,
set the exit status (0 ok, 1 blocking, 2 bad input). `main` assembles the group.
"""
