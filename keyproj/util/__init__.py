"""Helpers with no knowledge of key projects: atomic writes, ordered parallel maps."""
