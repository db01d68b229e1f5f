"""gunicorn's settings for this app, read from the working directory (`make serve`, and
`gunicorn wsgi:app` run from a release's checkout). Command-line options still win.

The access log names routes, never paths: a notice link's path is its credential."""

logger_class = "portal.gunicorn_logging.RedactingLogger"
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" %({x-request-id}o)s'
