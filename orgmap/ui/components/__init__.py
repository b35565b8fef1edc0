"""Reusable widgets: each module has ``show(key, ...)`` that draws it and returns its value."""
