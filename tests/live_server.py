"""The live test server, answering without the 40 ms stall of a kept-alive connection.

Django's test server (like Python's http.server) writes a response's headers and its body in two
sends. On a kept-alive connection the second waits for the client's ACK of the first (Nagle's
algorithm), which the client delays by up to 40 ms: measured here, 44-48 ms for every request
after a connection's first, against 4 ms on a fresh connection (python/cpython#108736). Browsers
and schemathesis keep connections alive, so every page, script, stylesheet and API call paid it.
gunicorn, which serves production, sets TCP_NODELAY on its sockets; this does the same here.
"""
from __future__ import annotations

import socket

from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer


class NoDelayWSGIServer(ThreadedWSGIServer):
    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def start_live_server(address: str = "localhost") -> LiveServer:
    """pytest-django's live server (its thread, static files and in-memory database sharing),
    serving with TCP_NODELAY."""
    server = LiveServer(address, start=False)
    server.thread.server_class = NoDelayWSGIServer
    server.start()
    return server
