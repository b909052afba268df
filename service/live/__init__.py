"""Live changes: the change bus (Litestar channels) and the server-sent event streams it feeds."""
