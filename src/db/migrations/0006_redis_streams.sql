-- Product Opener's Redis Streams (intake.md §3.7, ml.md §16.4).
-- Every handled stream entry, whatever its outcome: the primary key makes a redelivered entry (a crash
-- between the commit and XACK) a no-op. `fields` keeps the raw entry of invalid and dead-lettered ones.
CREATE TABLE redis_stream_event (
    stream      varchar(100) NOT NULL,
    entry_id    varchar(40)  NOT NULL,
    outcome     varchar(20)  NOT NULL,
    received_at timestamptz  NOT NULL DEFAULT now(),
    fields      jsonb,
    PRIMARY KEY (stream, entry_id)
);
CREATE INDEX redis_stream_event_received_idx ON redis_stream_event (received_at);

-- Low-priority work (bulk editors such as scanbot) is claimed after everything else that is due.
ALTER TABLE job ADD COLUMN priority smallint NOT NULL DEFAULT 0;
DROP INDEX job_claim_idx;
CREATE INDEX job_claim_idx ON job (priority, run_after, id) WHERE state = 'pending';
