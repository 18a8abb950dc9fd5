"""nnbook: the course tooling (exercise generation, grading, sandboxing) around nnbook's nbgrader config."""

__version__ = "0.1.0"
