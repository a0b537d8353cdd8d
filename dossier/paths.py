"""Where the project's own data lives (schemas and default templates)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = PROJECT_ROOT / "data_schemas"
TEMPLATE_DIR = PROJECT_ROOT / "docx_templates"
