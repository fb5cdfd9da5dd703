-- asset_name_grams is a search index of assets.name: every pair of
-- adjacent characters (bigram) of the name, ASCII letters folded to lower
-- case, one row per distinct pair. The list's free-text search finds the
-- assets holding every pair of the query through it instead of reading
-- each name of the register; the name itself then confirms the match.
-- Pairs, not triples: Japanese words of two characters (端末, 財務) are
-- common searches. Like asset_levels, it holds nothing the assets row does
-- not, is rewritten in the same transaction as the name, and has no
-- foreign keys. Its only index is its key: a renamed asset's former pairs
-- are removed by key, and a second index would cost an import of 100,000
-- assets a million more inserts.
CREATE TABLE asset_name_grams (
    tenant_id  INTEGER NOT NULL,
    gram       TEXT NOT NULL,
    asset_id   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, gram, asset_id)
) WITHOUT ROWID;

-- The names already registered, as indexNames (assets_search.go) does.
INSERT OR IGNORE INTO asset_name_grams (tenant_id, gram, asset_id)
WITH RECURSIVE p(tenant_id, id, name, i) AS (
    SELECT tenant_id, id, name, 1 FROM assets WHERE length(name) > 1
    UNION ALL
    SELECT tenant_id, id, name, i + 1 FROM p WHERE i + 1 < length(name))
SELECT tenant_id, lower(substr(name, i, 2)) AS gram, id FROM p ORDER BY tenant_id, gram, id;
