"""Entry point for a WSGI server: `gunicorn wsgi:app` (which reads `gunicorn.conf.py`)."""

from oralhistory import create_app, warm_up

app = create_app()
# each worker imports this module: its first reader's search is then as quick as the next
warm_up(app)
