"""Jobs off the event loop: the worker pool (errors, crashes) and the RSS documents built in it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import RssConfig
from bot.model import KST, Entry, Summary
from bot.publish.rss import RssOutputs
from bot.store import Store, Target
from bot.worker import WorkerPool


def record(store: Store, n: int) -> None:
    url = f"http://press.test/news/{n}"
    store.releases.record(
        feed="f", entry=Entry(feed="f", item_id=url, link=url, title=f"보도자료 {n}"), key=url,
        summary=Summary(url=url, title=f"보도자료 {n}", lead="충남도는 지원한다.", region="충남",
                        published=datetime(2024, 11, 20, 9, n, tzinfo=KST)),
        targets=[Target("all", "rss")], now=1_700_000_000.0 + n,
    )


async def test_refresh_builds_in_a_worker_and_writes_the_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    out = tmp_path / "all.xml"
    rss = RssOutputs(store)
    rss.update_config({"all": RssConfig(name="all", path="/rss/all.xml", title="전체", file=out)},
                      "http://127.0.0.1:8080")
    pool = WorkerPool(1)
    try:
        for n in range(3):
            record(store, n)
        await rss.refresh(pool.run)
        assert pool.pids, "the document was built in the worker process"
        built = rss.get("all")
        assert built.items == 3 and out.read_bytes() == built.body
        builds = dict(rss.builds)
        await rss.refresh(pool.run)  # nothing changed: nothing rebuilt
        assert rss.builds == builds
        record(store, 3)
        await rss.refresh(pool.run)
        assert rss.get("all").items == 4 and out.read_bytes() == rss.get("all").body
        # The worker's document is the one the loop would have built.
        fresh = RssOutputs(store)
        fresh.update_config({"all": RssConfig(name="all", path="/rss/all.xml", title="전체")}, "http://127.0.0.1:8080")
        assert fresh.get("all").body == rss.get("all").body
    finally:
        await pool.close()
        store.close()


async def test_a_job_that_raises_in_the_worker_raises_here() -> None:
    pool = WorkerPool(1)
    try:
        from functools import partial

        from bot.sources.errors import FeedError
        from bot.sources.feed import parse_feed

        try:
            await pool.run(partial(parse_feed, b"<html><body>not a feed</body></html>", url="http://x/"))
        except FeedError as exc:
            assert exc.kind == "not_a_feed"
        else:
            raise AssertionError("the worker's FeedError did not come back")
        # The worker is still usable after an error.
        parsed = await pool.run(partial(parse_feed, b'<rss version="2.0"><channel><title>t</title>'
                                        b"<item><title>a</title><link>http://x/a</link></item></channel></rss>",
                                        url="http://x/"))
        assert [e.title for e in parsed.entries] == ["a"]
    finally:
        await pool.close()


async def test_a_worker_that_dies_is_replaced() -> None:
    import os
    from functools import partial

    import pytest

    from bot.worker import WorkerCrashed

    pool = WorkerPool(1)
    try:
        first = await pool.run(os.getpid)
        with pytest.raises(WorkerCrashed):
            await pool.run(partial(os._exit, 3))
        second = await pool.run(os.getpid)
        assert second != first
    finally:
        await pool.close()
