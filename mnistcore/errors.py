"""The exceptions the core raises; the app turns them into plain words."""


class DataError(Exception):
    """A data file is missing, broken or not what was expected; the message names the file."""
