"""Entry point for a WSGI server: `gunicorn wsgi:app` (which reads `gunicorn.conf.py`)."""

from oralhistory import create_app, warm_up
from oralhistory.web import index_follower
from oralhistory.web.views import alignment

app = create_app()
# a server keeps its index in step with the change log by itself (readers never write it)
index_follower.start_in_server(app)
# and runs the queued alignments of recordings (`ORALHISTORY_ALIGN_WORKER=off`: not here)
alignment.start_in_server(app)
# each worker imports this module: its first reader's search is then as quick as the next
warm_up(app)
