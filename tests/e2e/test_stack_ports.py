"""The e2e harness itself: a site whose port another server took between
free_port() and the site's bind (another pytest worker's, or another site of
the same stack given the same port) starts again on another port, instead of
the stack talking to someone else's server."""
import http.server
import threading

import pytest

from tests.e2e.stack import Stack, free_port


class _ForeignHealth(http.server.BaseHTTPRequestHandler):
    """Another stack's site: /health answers, but not with our token's details."""

    body = b'{"ok": true}'

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class _OurGps(_ForeignHealth):
    """This stack's GPS, given the same port (our token opens its details)."""

    body = b'{"ok": true, "sync": {}, "site": "gps", "platform": null}'


@pytest.mark.parametrize("handler", [_ForeignHealth, _OurGps])
def test_a_site_whose_port_was_taken_starts_on_another(templates, databases, redis_url,
                                                       tmp_path, handler):
    taken = free_port()
    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", taken), handler)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    stack = Stack({"pds": databases.clone(templates["pds"], "e2e_ports_pds")}, redis_url, tmp_path)
    assert taken not in stack.ports.values()  # free_port() never hands a port out twice
    stack.ports["pds"] = taken
    try:
        stack.start_site("pds")
        assert stack.ports["pds"] != taken
        assert stack.health("pds")["platform"] == "410400"
        assert "Address already in use" in (tmp_path / "web-pds.log").read_text(errors="replace")
    finally:
        stack.stop_all()
        foreign.shutdown()
        foreign.server_close()
