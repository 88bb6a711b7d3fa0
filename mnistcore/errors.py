"""The exceptions the core raises; the app turns them into plain words."""


class DataError(Exception):
    """A data file is missing, broken or not what was expected; the message names the file."""


class UploadError(ValueError):
    """An upload cannot be used; the message says why in plain words, without advice to lower any guard."""


class DigitError(UploadError):
    """The image cannot be turned into a digit; the message says why in plain words."""
