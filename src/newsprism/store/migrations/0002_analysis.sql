-- Results of the corpus stages, so the API, exports and later runs can query them without
-- re-running anything. Nested parts (evidence lists, aliases) are JSON; everything a
-- user filters on (speaker, outlet, status, type) is a real column.
CREATE TABLE stories (
    id                   TEXT PRIMARY KEY,
    title                TEXT NOT NULL,
    independent_sources  INTEGER,
    data                 TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE story_articles (
    story_id    TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL,
    PRIMARY KEY (story_id, article_id)
);
CREATE INDEX story_articles_article ON story_articles(article_id);

CREATE TABLE families (
    id        TEXT PRIMARY KEY,
    relation  TEXT NOT NULL,
    articles  TEXT NOT NULL,          -- JSON list of article ids
    data      TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE entities (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    aliases  TEXT NOT NULL DEFAULT '[]',
    roles    TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE mentions (
    entity_id   TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    PRIMARY KEY (entity_id, article_id, start, "end")
);
CREATE INDEX mentions_article ON mentions(article_id);

CREATE TABLE quotes (
    id            TEXT PRIMARY KEY,
    article_id    TEXT NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    type          TEXT NOT NULL,
    speaker       TEXT,
    speaker_entity TEXT,
    grp           TEXT,
    altered       INTEGER NOT NULL DEFAULT 0,
    confidence    REAL,
    data          TEXT NOT NULL       -- the whole quote as exported
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker);

CREATE TABLE claims (
    id                   TEXT PRIMARY KEY,
    story_id             TEXT NOT NULL,
    text                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    independent_sources  INTEGER NOT NULL,
    data                 TEXT NOT NULL
);
CREATE INDEX claims_story ON claims(story_id);
CREATE INDEX claims_status ON claims(status);

-- Story-level sections (timeline, framing, summaries), one JSON document per story and section.
CREATE TABLE story_sections (
    story_id  TEXT NOT NULL,
    section   TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (story_id, section)
);
