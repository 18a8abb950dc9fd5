"""nnbook: the course tooling (exercise generation, grading, sandboxing) of the course book."""

import sys

__version__ = "0.1.0"

# jsonschema (below nbformat and nbgrader) imports rfc3987_syntax when it is installed, for its
# "iri" format checker, and that import builds about 35 Earley parsers: 1.3 s of CPU here, paid
# by every command and by every grading worker as it starts (jsonschema issue #1428). No schema
# nnbook validates uses an iri format, so the import is turned away: jsonschema then simply has
# no iri checker (it suppresses the ImportError itself).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
