-- pressbot store, version 1. Times are Unix seconds (REAL).
CREATE TABLE IF NOT EXISTS feed_state (
    feed          TEXT PRIMARY KEY,
    url           TEXT,
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,              -- sha256 of the last body: the same bytes again cost no parsing
    known_ids     TEXT,              -- JSON list of the entry ids the last parsed body carried (all recorded)
    initialised   INTEGER NOT NULL DEFAULT 0,   -- first poll done, backfill applied
    last_poll     REAL,
    last_success  REAL,
    last_error    TEXT,
    error_kind    TEXT,
    errors        INTEGER NOT NULL DEFAULT 0,   -- consecutive failures
    failing_since REAL,
    next_poll     REAL,
    moved_to      TEXT,              -- permanent redirect target the admin should put in the config
    dead          INTEGER NOT NULL DEFAULT 0,
    paused        INTEGER NOT NULL DEFAULT 0,
    alerted       INTEGER NOT NULL DEFAULT 0,
    polls         INTEGER NOT NULL DEFAULT 0,
    entries_found INTEGER NOT NULL DEFAULT 0
);

-- One row per release, whichever feeds it came through (key = normalised link, else feed + item id).
CREATE TABLE IF NOT EXISTS releases (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    url        TEXT,
    feed       TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,        -- JSON of bot.model.Summary
    region     TEXT,
    source     TEXT,
    published  REAL,
    created_at REAL NOT NULL
);

-- Entries seen per feed; release_id is NULL for entries skipped by the backfill rule.
CREATE INDEX IF NOT EXISTS releases_by_time ON releases (COALESCE(published, created_at), id);

CREATE TABLE IF NOT EXISTS seen (
    feed       TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    release_id INTEGER REFERENCES releases(id),
    seen_at    REAL NOT NULL,
    PRIMARY KEY (feed, item_id)
);

-- The outbox: one delivery per release and target, pending -> sending -> sent | failed.
CREATE TABLE IF NOT EXISTS deliveries (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases(id),
    target          TEXT NOT NULL,
    kind            TEXT NOT NULL,   -- telegram | rss
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error      TEXT,
    message_id      INTEGER,
    chat_id         TEXT,
    digest          INTEGER NOT NULL DEFAULT 0,
    dry_run         INTEGER NOT NULL DEFAULT 0,
    created_at      REAL NOT NULL,
    sent_at         REAL,
    UNIQUE (release_id, target)
);
CREATE INDEX IF NOT EXISTS deliveries_by_target ON deliveries (target, state, id);

-- Messages accepted by Telegram per chat: pacing is rebuilt from these after a restart.
CREATE TABLE IF NOT EXISTS sends (
    chat TEXT NOT NULL,
    at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_by_time ON sends (at);

-- Per-target state an admin changes at run time (pause) or Telegram changes (chat migration).
CREATE TABLE IF NOT EXISTS target_state (
    name    TEXT PRIMARY KEY,
    paused  INTEGER NOT NULL DEFAULT 0,
    chat_id TEXT,
    alerted INTEGER NOT NULL DEFAULT 0
);
