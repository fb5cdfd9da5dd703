-- asset_name_grams is a search index of assets.name: every pair of
-- adjacent characters (bigram) of the name, ASCII letters folded to lower
-- case, one row per distinct pair. The list's free-text search finds the
-- assets holding every pair of the query through it instead of reading
-- each name of the register; the name itself then confirms the match.
-- Pairs, not triples: Japanese words of two characters (端末, 財務) are
-- common searches; and pg_trgm would ignore them. Like asset_levels, it
-- holds nothing the assets row does not, is rewritten in the same
-- transaction as the name, and has no foreign keys. Its only index is its
-- key: a renamed asset's former pairs are removed by key, and a second
-- index would cost an import of 100,000 assets a million more inserts.
CREATE TABLE asset_name_grams (
    tenant_id  bigint NOT NULL,
    gram       text COLLATE "C" NOT NULL,
    asset_id   bigint NOT NULL,
    PRIMARY KEY (tenant_id, gram, asset_id)
);
SELECT mamori_scope('asset_name_grams');

-- The names already registered, as indexNames (assets_search.go) does.
INSERT INTO asset_name_grams (tenant_id, gram, asset_id)
SELECT DISTINCT a.tenant_id, translate(substr(a.name, i, 2), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), a.id
FROM assets a, generate_series(1, char_length(a.name) - 1) AS i
ORDER BY 1, 2, 3;
