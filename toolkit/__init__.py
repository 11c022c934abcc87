"""toolkit: repair, lint and translate damaged Chinese web articles, offline."""

__version__ = "0.1.0"
