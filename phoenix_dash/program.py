"""The ``phoenix-dash`` program (the console script, ``python -m phoenix_dash``): the command
line, with the cache of generated code (generated_code.py) serving from its first import."""

from __future__ import annotations


def main() -> None:
    from .generated_code import for_this_run

    with for_this_run():
        from .cli import main as command_line

        command_line()
