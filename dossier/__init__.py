"""dossier: award dossiers for Vietnamese emulation campaigns (phong trào thi đua)."""

__version__ = "0.1.0"
