"""gunicorn settings read from the working directory (`gunicorn run:app`).

gunicorn writes `Server: gunicorn` into every response itself, before the
application's headers, and has no setting for it. The name of the server
software tells an attacker what to try, so it is replaced here, in the one
place gunicorn runs our Python before serving (run.py does the same for
`flask run`).
"""
import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "web"
