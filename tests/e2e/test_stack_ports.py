"""The e2e harness itself: a site whose port another process took between
free_port() and the site's bind (parallel pytest workers) starts again on
another port, instead of the stack talking to someone else's server."""
import http.server
import threading

from tests.e2e.stack import Stack, free_port


class _ForeignHealth(http.server.BaseHTTPRequestHandler):
    """Another stack's site: /health answers, but not with our token's details."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


def test_a_site_whose_port_was_taken_starts_on_another(templates, databases, redis_url,
                                                       tmp_path):
    taken = free_port()
    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", taken), _ForeignHealth)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    stack = Stack({"pds": databases.clone(templates["pds"], "e2e_ports_pds")}, redis_url, tmp_path)
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
