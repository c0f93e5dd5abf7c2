"""Entry point for a WSGI server: `gunicorn -w 4 wsgi:app`."""

from oralhistory import create_app

app = create_app()
