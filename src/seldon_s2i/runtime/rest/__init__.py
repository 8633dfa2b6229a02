"""The REST transport: seldon-core 1.17.1's routes (spec §2) for gunicorn.

Code map (imports go down this list, never up):
  wsgi       `create_app`, the WSGI entry: the fast path for JSON SeldonMessage requests and
             `/health/ping`, everything else handed to the Flask app (built in the background)
  flask_app  the Flask app: forms, multipart, `?json=`, health status, metadata, CORS preflight
  common     what both share: the routes and what each calls, JSON parsing, answer/error bodies

Layer rule: this package only translates HTTP to calls of `component.Component` and back; what a
user method receives or returns is decided there and in `codec`, identically for gRPC. Nothing
here imports Flask at module level except `flask_app`, which `wsgi` imports once, lazily.
"""
