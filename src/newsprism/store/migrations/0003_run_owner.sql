-- Who runs a run: a run still 'running' whose process is gone was killed, and the next
-- writer on the same host marks it 'interrupted' (see Store.start_run).
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
