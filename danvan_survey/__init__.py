"""danvan_survey: the data system of the survey of grassroots mass-mobilisation work."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("danvan-survey")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+local"
