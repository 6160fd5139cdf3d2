"""`htrac mcp --http`: streamable HTTP on 127.0.0.1, with the SDK's DNS-rebinding protection
(Host and Origin must name this address and port) and a bearer token every request must carry."""

from __future__ import annotations

import hmac
import socket
import sys
from pathlib import Path

from .bearer import load_or_create
from .server import TrackerServer


class StaticToken:
    """The SDK's `TokenVerifier` for one shared secret."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    async def verify_token(self, token: str):
        from mcp.server.auth.provider import AccessToken

        if hmac.compare_digest(token.encode("utf-8"), self._token):
            return AccessToken(token="", client_id="htrac-mcp", scopes=[])
        return None


def serve_http(app: TrackerServer, *, port: int, token_file: Path | None) -> None:
    import uvicorn
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.transport_security import TransportSecuritySettings

    token, token_path = load_or_create(token_file)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)  # before the address is printed, so a client that reads it can connect
    port = sock.getsockname()[1]
    here = [f"127.0.0.1:{port}", f"localhost:{port}"]
    security = TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                         allowed_hosts=here,
                                         allowed_origins=[f"http://{h}" for h in here])
    web = app.server().streamable_http_app(
        host="127.0.0.1", transport_security=security, token_verifier=StaticToken(token),
        auth=AuthSettings(issuer_url=f"http://127.0.0.1:{port}", resource_server_url=None))
    print(f"htrac mcp: serving http://127.0.0.1:{port}/mcp (bearer token in {token_path})",
          file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn.Config(web, log_level="warning", lifespan="on")).run(sockets=[sock])
