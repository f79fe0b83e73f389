-- The hot listings read their caller's votes on every request (include/robotoff/api/hot_listing.hpp):
-- with (device_id, insight_id) and (username, insight_id) that read is an index-only scan, instead of a visit
-- to every heap page the voter's votes are spread over. They replace the single-column indexes, which are
-- their prefixes.
CREATE INDEX annotation_vote_device_insight_idx ON annotation_vote (device_id, insight_id);
CREATE INDEX annotation_vote_username_insight_idx ON annotation_vote (username, insight_id)
    WHERE username IS NOT NULL;
DROP INDEX annotation_vote_device_id_idx;
DROP INDEX annotation_vote_username_idx;
