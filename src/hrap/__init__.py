"""HRAP: an open platform for carrying out national human rights action plans."""
