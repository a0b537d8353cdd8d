"""Where the package's own data lives: the default .docx templates and the JSON Schemas.

Both ship inside the package (package data), so a wheel installed anywhere finds them; read
through importlib.resources, which gives a real folder for every installed package that is not
zipped (pip never installs zipped).
"""

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("dossier")))
SCHEMA_DIR = PACKAGE_DIR / "schemas"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
