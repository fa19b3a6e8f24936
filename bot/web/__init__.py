"""The HTTP side of pressbot: RSS outputs, /healthz, /status and /metrics on web.listen."""
