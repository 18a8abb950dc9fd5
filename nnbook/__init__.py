"""nnbook: the course tooling (exercise generation, grading, sandboxing) of the course book."""

__version__ = "0.1.0"
