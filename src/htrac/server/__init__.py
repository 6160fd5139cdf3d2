"""`htrac serve`: the web surface — a Starlette app (REST, WebSocket, the built frontend) that acts
as the OS user running it, and only for a browser that has logged in as that user."""
