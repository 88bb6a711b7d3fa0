"""The security headers every hosting sends, one server or many, laptop included, and the one place they are written.

Streamlit cannot set response headers itself (its issues #6417, #9160). The app server adds them to every HTTP
response with `SecurityHeaders`, an ASGI middleware that deploy/app_server.py puts around Streamlit's own app, and
turns off uvicorn's `Server` banner; HAProxy, where there is one, sets the same lines (`haproxy_lines`), so a
response carries them whichever process answered it.
"""

import base64
import hashlib
import re
from pathlib import Path

FOCUS_SCRIPT = Path(__file__).parent.parent / "ui" / "show" / "focus.js"  # the app's one script of its own (st.html)


def inline_script_hashes() -> list[str]:
    """CSP hashes of the inline scripts that may run: those in Streamlit's own page (one line that sets
    window.prerenderReady), read from the installed Streamlit, and the app's own (ui/show/focus.js), so that a
    policy allowing only the app's own scripts still lets them run."""
    import streamlit
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S) + [FOCUS_SCRIPT.read_text()]
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts]


def content_security_policy() -> str:
    """Scripts, frames, images and connections from the app's own origin only; nobody may frame it."""
    return "; ".join([
        # 'wasm-unsafe-eval' lets the page compile WebAssembly (Streamlit's front end uses it), not run eval()
        "default-src 'self'", f"script-src 'self' 'wasm-unsafe-eval' {' '.join(inline_script_hashes())}".strip(),
        "style-src 'self' 'unsafe-inline'",  # Streamlit's components set inline styles
        "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "frame-src 'self'",
        "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'self'",
    ])


def security_headers(hsts: bool = False) -> dict[str, str]:
    """The headers every response carries; Strict-Transport-Security only where browsers arrive over HTTPS."""
    headers = {"Content-Security-Policy": content_security_policy(), "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", "X-Frame-Options": "SAMEORIGIN"}  # the last for browsers before CSP 2
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def haproxy_lines(hsts: bool = False) -> str:
    """The same headers as HAProxy lines, and its own: the backend's `Server` banner dropped."""
    lines = [f'http-response set-header {name} "{value}"' for name, value in security_headers(hsts).items()]
    lines.append("http-response del-header Server")
    return "\n".join(f"    {line}" for line in lines)


class SecurityHeaders:
    """ASGI middleware: every HTTP response leaves with `security_headers()`, in place of any of the same name."""

    def __init__(self, app, hsts: bool = False):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in security_headers(hsts).items()]
        self.names = {k for k, _ in self.headers}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # a websocket's handshake answer is no document: nothing to frame or sniff
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self.names]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        return await self.app(scope, receive, send_with_headers)
