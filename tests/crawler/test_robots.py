"""robots.txt rules (read with urllib.robotparser), without a browser."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawler.options import DEFAULT_USER_AGENT
from crawler.robots import RobotsRules, robots_url


@pytest.fixture
def robots_server():
    """Serve one robots.txt answer: set .status and .body before the first request."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            server.seen_user_agents.append(self.headers.get("User-Agent"))
            body = server.body.encode()
            self.send_response(server.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status, server.body, server.seen_user_agents = 200, "", []
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def rules():
    return RobotsRules(user_agent=DEFAULT_USER_AGENT, timeout=5)


def test_robots_url_is_at_the_origin_root():
    assert robots_url("https://example.com/a/b?page=2#x") == "https://example.com/robots.txt"


def test_the_fixture_sites_disallow_only_private(site_server):
    robots = rules()
    assert robots.can_fetch(site_server.url("experience_board/index.html"))
    assert not robots.can_fetch(site_server.url("private/index.html"))
    assert site_server.requests == ["/robots.txt"]  # read once per origin


def test_fetches_robots_txt_with_our_user_agent(robots_server):
    robots_server.body = "User-agent: *\nAllow: /\n"
    rules().can_fetch(robots_server.base_url + "/")
    assert robots_server.seen_user_agents == [DEFAULT_USER_AGENT]


def test_rules_for_our_own_token_apply(robots_server):
    robots_server.body = "User-agent: TeenplayCrawler\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    assert not rules().can_fetch(robots_server.base_url + "/list")


def test_crawl_delay_is_read(robots_server):
    robots_server.body = "User-agent: *\nCrawl-delay: 3\nDisallow: /admin\n"
    assert rules().crawl_delay(robots_server.base_url + "/list") == 3.0


def test_a_missing_robots_txt_allows_everything(robots_server):
    robots_server.status = 404
    assert rules().can_fetch(robots_server.base_url + "/anything")


def test_a_failing_robots_txt_disallows_everything(robots_server):
    robots_server.status = 503
    assert not rules().can_fetch(robots_server.base_url + "/anything")


def test_an_unreachable_site_is_treated_as_disallowed():
    assert not rules().can_fetch("http://127.0.0.1:9/list")  # nothing listens on the discard port


def test_urls_without_robots_txt_are_allowed():
    assert rules().can_fetch("data:text/html,<p>hi</p>")


def test_the_refusal_message_says_what_to_do():
    message = rules().refusal_message("https://example.com/private/")
    assert "https://example.com/robots.txt" in message
    assert "--ignore-robots" in message
