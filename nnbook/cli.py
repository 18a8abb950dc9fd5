"""The ``nnbook`` command: one entry point for students and instructors.

Each subcommand lives in the module that owns its work; this file only parses arguments and
dispatches, so that subcommands can be added without touching each other.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, help). The module provides ``add_<name>_arguments(parser)`` and
# ``run_<name>(args) -> int``.
SUBCOMMANDS: dict[str, tuple[str, str]] = {}


def register(name: str, module: str, help_text: str) -> None:
    SUBCOMMANDS[name] = (module, help_text)


register("generate", "nnbook.exercises", "regenerate exercises/ from solutions/ (nbgrader)")
register("release", "nnbook.exercises", "produce what students get, in a course folder")
register("lab", "nnbook.exercises", "open JupyterLab on the exercises (students)")
register("grade", "nnbook.grading", "grade a folder of submissions into a gradebook")
register("return-feedback", "nnbook.exchange", "return feedback through nbgrader's exchange")
register("lms", "nnbook.lms", "Canvas/Moodle: import a submissions zip, export grades")
register("similarity", "nnbook.similarity", "rank pairs of submissions by similar code")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        attr = name.replace("-", "_")  # return-feedback -> add_return_feedback_arguments
        getattr(module, f"add_{attr}_arguments")(p)
        p.set_defaults(_run=getattr(module, f"run_{attr}"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
