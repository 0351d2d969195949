"""Allow ``python -m danvan_survey``."""

from danvan_survey.cli import app

app()
