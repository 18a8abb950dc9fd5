"""Entry point of the verdict runner in the sandbox: ``python -I <folder> PROGRAM.json``.

Python runs this file with the folder itself first on ``sys.path``; the folder's parent goes
there instead, so that the folder is imported as a package (its modules import each other
relatively) under the folder's own name.
"""

import os
import sys
from importlib import import_module
from pathlib import Path

if __name__ == "__main__":
    folder = Path(__file__).resolve().parent
    sys.path[0] = str(folder.parent)
    runner = import_module(f"{folder.name}.runner")
    os.umask(0o022)
    sys.exit(runner.main(sys.argv[1]))
