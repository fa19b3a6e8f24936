"""HTTP control API (/_control/...) and command line of the Bot API double, for subprocess tests and benches.

    python -m tests.fakes.botapi --port 0 --chats @a,@b --state-file PATH [--token T] [--no-limits]

prints the port on the first line of stdout, then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.botapi import DEFAULT_TOKEN, BotApiDouble
from tests.fakes.botapi_model import Fault, FloodLimits


def install_control(double: BotApiDouble) -> None:
    """Add the /_control routes to the double's app (before it starts)."""
    routes = web.RouteTableDef()

    @routes.get("/_control/messages")
    async def messages(request: web.Request) -> web.Response:
        chat = request.query.get("chat")
        found = double.messages if chat is None else double.messages_for(chat)
        return web.json_response({"messages": [m.to_json() for m in found]})

    @routes.get("/_control/requests")
    async def requests(request: web.Request) -> web.Response:
        return web.json_response({"requests": [r.to_json() for r in double.requests]})

    @routes.get("/_control/stats")
    async def stats(request: web.Request) -> web.Response:
        return web.json_response(double.stats())

    @routes.get("/_control/wait")
    async def wait(request: web.Request) -> web.Response:
        chat = request.query.get("chat")
        count = int(request.query.get("count", "1"))
        seconds = float(request.query.get("timeout", "10"))

        def enough(d: BotApiDouble) -> bool:
            return len(d.messages if chat is None else d.messages_for(chat)) >= count

        try:
            await double.wait_for(enough, seconds)
        except TimeoutError as err:
            return web.json_response({"ok": False, "error": str(err)}, status=408)
        return web.json_response(dict(double.stats(), ok=True))

    @routes.post("/_control/faults")
    async def faults(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            parsed = [Fault.from_json(item) for item in body.get("faults", [])]
        except (ValueError, TypeError, AttributeError) as err:
            raise web.HTTPBadRequest(text=f"faults: {err}") from err
        double.inject(body.get("method"), *parsed, chat=body.get("chat"))
        return web.json_response({"ok": True, "pending_faults": double.pending_faults()})

    @routes.post("/_control/updates")
    async def updates(request: web.Request) -> web.Response:
        body = await _body(request)
        if not isinstance(body.get("text"), str) or not isinstance(body.get("from_id"), int):
            raise web.HTTPBadRequest(text="updates: 'text' (str) and 'from_id' (int) are required")
        update_id = double.push_update(body["text"], from_id=body["from_id"], chat_id=body.get("chat_id"))
        return web.json_response({"ok": True, "update_id": update_id})

    @routes.post("/_control/chats")
    async def chats(request: web.Request) -> web.Response:
        body = await _body(request)
        flags = {k: body[k] for k in ("title", "member", "kicked", "blocked", "can_post") if k in body}
        try:
            chat = double.add_chat(body["chat"], body.get("type"), **flags)
        except (KeyError, ValueError) as err:
            raise web.HTTPBadRequest(text=f"chats: {err}") from err
        return web.json_response(chat.to_json())

    @routes.post("/_control/chat_flags")
    async def chat_flags(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            chat = double.chat(body["chat"])
        except KeyError as err:
            raise web.HTTPBadRequest(text=f"chat_flags: {err}") from err
        for key in ("member", "kicked", "blocked", "can_post"):
            if key in body:
                setattr(chat, key, bool(body[key]))
        return web.json_response(chat.to_json())

    @routes.post("/_control/migrate")
    async def migrate(request: web.Request) -> web.Response:
        body = await _body(request)
        new = double.migrate(body["chat"])
        return web.json_response({"ok": True, "migrate_to_chat_id": new.id})

    @routes.post("/_control/limits")
    async def limits(request: web.Request) -> web.Response:
        try:
            double.set_limits(FloodLimits.from_json(await _body(request)))
        except ValueError as err:
            raise web.HTTPBadRequest(text=str(err)) from err
        return web.json_response(double.limits.to_json())

    double.app.add_routes(routes)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError as err:
        raise web.HTTPBadRequest(text=f"{request.path}: body is not JSON: {err}") from err
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=f"{request.path}: expected a JSON object")
    return body


def write_state(double: BotApiDouble, path: Path) -> None:
    """Everything recorded, as JSON, written atomically (temp file + rename)."""
    state = {"port": double.port, "stats": double.stats(), "messages": [m.to_json() for m in double.messages]}
    fd, tmp = tempfile.mkstemp(prefix=".botapi-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out, ensure_ascii=False)
    os.replace(tmp, path)


async def serve(args: argparse.Namespace) -> None:
    limits = FloodLimits.off() if args.no_limits else FloodLimits()
    double = BotApiDouble(args.token, chats=[c for c in args.chats.split(",") if c], limits=limits)
    install_control(double)
    state_file: Path | None = Path(args.state_file) if args.state_file else None
    if state_file is not None:
        seen = [0]

        def save(d: BotApiDouble) -> None:
            if len(d.messages) != seen[0]:
                seen[0] = len(d.messages)
                write_state(d, state_file)

        double.on_change.append(save)
    await double.start(args.host, args.port)
    if state_file is not None:
        write_state(double, state_file)
    print(double.port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await double.close()
    if state_file is not None:
        write_state(double, state_file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--chats", default="", help="comma-separated: @name, @name:supergroup, -100123:group")
    parser.add_argument("--state-file", default=None, help="JSON of stats and messages, rewritten on change")
    parser.add_argument("--no-limits", action="store_true", help="do not enforce flood limits")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args))
    except ValueError as err:
        print(f"botapi double: {err}", file=sys.stderr)
        return 2
    return 0
