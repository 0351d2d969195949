from danvan_survey.cli import app

app()
