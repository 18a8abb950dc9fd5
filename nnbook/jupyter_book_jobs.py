"""``python -m nnbook.jupyter_book_jobs JOBS ARGS...``: the jupyter-book command with Sphinx's
parallel jobs.

The jupyter-book command has no option for them, but its build function does: this wraps that
function before running the command. With 2 jobs, two chapters are read (and executed, when not
cached) at the same time. :mod:`nnbook.site` starts it.
"""

import sys


def main(argv: list[str]) -> int:
    import jupyter_book.sphinx as jbs
    from jupyter_book.cli.main import main as jupyter_book

    jobs = int(argv[0])
    build_sphinx = jbs.build_sphinx
    jbs.build_sphinx = lambda *args, **kwargs: build_sphinx(*args, **{**kwargs, "jobs": jobs})
    sys.argv = ["jupyter-book", *argv[1:]]
    return jupyter_book()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
