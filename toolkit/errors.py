"""Errors the command line reports with exit code 2 and a one-line message."""


class ToolkitError(Exception):
    """Base class: a problem with the input, the configuration or a model."""


class InputError(ToolkitError):
    """A file that cannot be read or decoded."""


class ConfigError(ToolkitError):
    """An invalid configuration file, option or rule id."""


class ModelMissingError(ToolkitError):
    """A translation model that is not installed; the message says how to get one."""


class RuntimeBrokenError(ToolkitError):
    """A translation runtime that cannot run on this machine; the message says how to fix it."""
