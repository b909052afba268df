"""The request owns its transaction: it commits before the response is sent, or the client hears why.

advanced-alchemy's ``autocommit`` hook commits while the response is already on its way and only
logs a commit that fails, so a deferred constraint could turn a 201 into nothing stored. Here the
``db_session`` every handler and dependency asks for is a generator dependency around the plugin's
session: Litestar resumes it after the handler returns and its response is built, but before a byte
is sent, and re-raises what it raises, so a failed COMMIT reaches the one error table
(``service/core/errors.py``) like any other error. A handler that raises rolls back.

A dependency that fails while the others are still being resolved (a bad bearer token, say) never
gets to resume this one; the plugin's before-send hook closes the session then, which rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Coroutine
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.plugins.init.config.asyncio import default_handler_maker
from litestar.di import NamedDependency
from litestar.types import Message, Scope
from sqlalchemy.ext.asyncio import AsyncSession

logger = logging.getLogger("plenary")

PLUGIN_SESSION_KEY = "db_plugin_session"
"""Where the plugin injects its per-request session. Only ``provide_db_session`` asks for it:
a handler that took it would have no transaction of its own."""


async def provide_db_session(
    db_plugin_session: NamedDependency[AsyncSession],
) -> AsyncGenerator[AsyncSession, None]:
    """The request's session: committed when the handler returns, rolled back when it raises."""
    session = db_plugin_session
    try:
        yield session
    except Exception:
        await _rollback(session)
        raise
    try:
        await session.commit()
    except Exception:
        await _rollback(session)
        raise


async def _rollback(session: AsyncSession) -> None:
    # The error that brought us here is the one to report; a connection that is gone cannot roll
    # back, and the server discards its open transaction anyway.
    try:
        await session.rollback()
    except Exception:  # any failure here would hide the error being reported
        logger.debug("rollback failed; the connection is discarded", exc_info=True)


def close_session_before_send(
    config: SQLAlchemyAsyncConfig,
) -> Callable[[Message, Scope], Coroutine[Any, Any, None]]:
    """Close the request's session when the response starts (which rolls back what was not committed).

    This is the plugin's own closing hook, made unable to break the response it runs before: a
    session that cannot close is logged and left to the pool, which discards a broken connection.
    """

    close = default_handler_maker(session_scope_key=config.session_scope_key)

    async def handler(message: Message, scope: Scope) -> None:
        try:
            await close(message, scope)
        except Exception:  # the response must still go out
            logger.warning("could not close the request's database session", exc_info=True)

    return handler
