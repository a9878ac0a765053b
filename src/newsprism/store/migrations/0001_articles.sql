-- Articles, rejections, runs, full-text search and the embedding cache.
CREATE TABLE articles (
    id            TEXT PRIMARY KEY,          -- content hash (text + url/outlet): re-ingest is a no-op
    source_path   TEXT NOT NULL,
    outlet        TEXT,
    url           TEXT,
    title         TEXT,
    published     TEXT,                      -- YYYY-MM-DD
    language      TEXT,
    author        TEXT,
    input_format  TEXT NOT NULL,
    text          TEXT NOT NULL,
    segments      TEXT NOT NULL,             -- JSON [{start, end, kind, score}]
    inferred      TEXT NOT NULL DEFAULT '{}',-- JSON {field: how it was inferred}
    first_run     INTEGER,
    ingested_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX articles_published ON articles(published);

CREATE TABLE rejected (
    id           TEXT PRIMARY KEY,           -- hash of source_path + code + reason
    source_path  TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    first_run    INTEGER,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    command      TEXT NOT NULL,
    version      TEXT NOT NULL,
    config       TEXT NOT NULL,              -- JSON
    counts       TEXT NOT NULL DEFAULT '{}', -- JSON
    status       TEXT NOT NULL DEFAULT 'running',
    started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    finished_at  TEXT
);

-- Search over the article's own prose (headline + body), boilerplate excluded.
CREATE VIRTUAL TABLE article_fts USING fts5(article_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE embeddings (
    key     TEXT PRIMARY KEY,                -- content hash of the embedded text + model
    dim     INTEGER NOT NULL,
    vector  BLOB NOT NULL                    -- float32, little-endian
);

-- Per-article results of document stages, keyed by stage version: re-runs skip done work.
CREATE TABLE doc_cache (
    article_id  TEXT NOT NULL,
    stage       TEXT NOT NULL,
    version     TEXT NOT NULL,
    result      TEXT NOT NULL,               -- JSON
    PRIMARY KEY (article_id, stage, version)
);
