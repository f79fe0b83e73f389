-- No query reads product by last_modified_t (data-model.md §2a lists no index for it), and every imported
-- product paid for maintaining this one (robotoffd import-dataset writes a million rows per minute or so).
DROP INDEX product_last_modified_t_idx;
