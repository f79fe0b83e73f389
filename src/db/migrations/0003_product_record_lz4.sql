-- product.record (~1-2 KB of JSON per product) is compressed with LZ4 instead of pglz when a row needs
-- TOAST: pglz took ~12% of PostgreSQL's CPU time during `robotoffd import-dataset` (perf, 200k products),
-- LZ4 compresses several times faster. Metadata only: existing values stay as they are until rewritten.
ALTER TABLE product ALTER COLUMN record SET COMPRESSION lz4;
