"""How gunicorn serves the archive: `gunicorn wsgi:app` in this directory reads this file.

Threads (`gthread`), not one process per connection: a reader is not kept waiting behind a
client that sends its request slowly. A thread waits at most 5 seconds for a new connection's
first bytes, then hands the connection back to the worker's event loop (gunicorn's own rule);
a connection silent for `keepalive` seconds more is closed. A client that drips its request
still holds a thread while it drips: gunicorn has no deadline for a whole request. In
production, put nginx in front (`deploy/nginx.conf`): it reads each request whole, with
deadlines, before gunicorn sees it. Any setting here can be overridden on the command line
(`-w 4`, `-b 0.0.0.0:8000`) or in GUNICORN_CMD_ARGS.
"""

import os

# behind nginx on the same machine; `-b` to listen elsewhere
bind = "127.0.0.1:8000"
# one process per core (the index's arrays are memory-mapped: processes share them)
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or (os.cpu_count() or 1)
worker_class = "gthread"
# requests answered at once by each process; a search holds the interpreter for about 30 ms,
# most of the rest of a request waits on the database or the client
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# connections a process keeps open at once, kept-alive ones included
worker_connections = 200
# a process that stops answering its master for this long is restarted
timeout = 30
# on a restart or a new deployment, requests under way get this long to finish
graceful_timeout = 20
# seconds an idle kept-alive (or not yet speaking) connection is kept open
keepalive = 5
# the largest request line and headers taken (the longest address the archive makes is far
# shorter); a longer one is refused with 400 and the connection closed
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# the size of a request's body is bounded by the app (MAX_CONTENT_LENGTH, 6 MB)
