-- The tables of spec/data-model.md: product, product_insight, prediction, annotation_vote, image, job.
-- Timestamps of the domain tables are "timestamp without time zone" holding UTC (as the original Robotoff);
-- the job table uses timestamptz.

CREATE TABLE product (
    server_type      varchar(10)  NOT NULL DEFAULT 'off',
    barcode          varchar(100) NOT NULL,
    product_name     text,
    lang             varchar(10),
    record           jsonb        NOT NULL DEFAULT '{}',
    brands_tags      jsonb        NOT NULL DEFAULT '[]',
    countries_tags   jsonb        NOT NULL DEFAULT '[]',
    categories_tags  jsonb        NOT NULL DEFAULT '[]',
    labels_tags      jsonb        NOT NULL DEFAULT '[]',
    unique_scans_n   integer      NOT NULL DEFAULT 0,
    last_modified_t  bigint,
    deleted          boolean      NOT NULL DEFAULT false,
    fetched_at       timestamptz  NOT NULL DEFAULT now(),
    source           text         NOT NULL,
    PRIMARY KEY (server_type, barcode),
    CHECK (server_type IN ('off', 'obf', 'opff', 'opf', 'off_pro'))
);
CREATE INDEX product_unique_scans_n_idx ON product (unique_scans_n);
CREATE INDEX product_last_modified_t_idx ON product (last_modified_t);

CREATE TABLE product_insight (
    id                    uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    barcode               varchar(100) NOT NULL,
    type                  varchar(256) NOT NULL,
    data                  jsonb        NOT NULL DEFAULT '{}',
    timestamp             timestamp    NOT NULL,
    completed_at          timestamp,
    annotation            integer,
    annotated_result      integer,
    n_votes               integer      NOT NULL DEFAULT 0,
    username              text,
    countries             jsonb        NOT NULL DEFAULT '[]',
    brands                jsonb        NOT NULL DEFAULT '[]',
    process_after         timestamp,
    value_tag             text,
    value                 text,
    source_image          text,
    automatic_processing  boolean      NOT NULL DEFAULT false,
    server_type           varchar(10)  NOT NULL DEFAULT 'off',
    unique_scans_n        integer      NOT NULL DEFAULT 0,
    reserved_barcode      boolean      NOT NULL DEFAULT false,
    predictor             varchar(100),
    predictor_version     varchar(100),
    campaign              jsonb        NOT NULL DEFAULT '[]',
    confidence            double precision,
    bounding_box          jsonb,
    lc                    varchar[],
    with_image            boolean,
    -- Random sort key with an index: random selection without ORDER BY random() over the table.
    random_key            double precision NOT NULL DEFAULT random(),
    CHECK (annotation IN (-1, 0, 1, 2)),
    CHECK (server_type IN ('off', 'obf', 'opff', 'opf', 'off_pro'))
);
CREATE INDEX product_insight_barcode_idx ON product_insight (barcode);
CREATE INDEX product_insight_type_idx ON product_insight (type);
CREATE INDEX product_insight_timestamp_idx ON product_insight (timestamp);
CREATE INDEX product_insight_annotation_idx ON product_insight (annotation);
CREATE INDEX product_insight_n_votes_idx ON product_insight (n_votes);
CREATE INDEX product_insight_countries_idx ON product_insight USING gin (countries);
CREATE INDEX product_insight_brands_idx ON product_insight USING gin (brands);
CREATE INDEX product_insight_value_tag_idx ON product_insight (value_tag);
CREATE INDEX product_insight_value_idx ON product_insight (value);
CREATE INDEX product_insight_source_image_idx ON product_insight (source_image);
CREATE INDEX product_insight_automatic_processing_idx ON product_insight (automatic_processing);
CREATE INDEX product_insight_server_type_idx ON product_insight (server_type);
CREATE INDEX product_insight_unique_scans_n_idx ON product_insight (unique_scans_n);
CREATE INDEX product_insight_reserved_barcode_idx ON product_insight (reserved_barcode);
CREATE INDEX product_insight_predictor_idx ON product_insight (predictor);
CREATE INDEX product_insight_campaign_idx ON product_insight USING gin (campaign);
CREATE INDEX product_insight_lc_idx ON product_insight USING gin (lc);
CREATE INDEX product_insight_with_image_idx ON product_insight (with_image);
CREATE INDEX product_insight_product_type_idx ON product_insight (server_type, barcode, type);
CREATE INDEX product_insight_process_after_idx ON product_insight (process_after)
    WHERE annotation IS NULL AND process_after IS NOT NULL;
CREATE INDEX product_insight_popularity_idx ON product_insight (server_type, type, unique_scans_n DESC)
    WHERE annotation IS NULL AND automatic_processing = false;
-- Listing by popularity whatever the annotation state (GET /api/v1/insights?order_by=popularity).
CREATE INDEX product_insight_type_popularity_idx ON product_insight (server_type, type, unique_scans_n DESC);
CREATE INDEX product_insight_username_idx ON product_insight (username) WHERE username IS NOT NULL;
CREATE INDEX product_insight_random_idx ON product_insight (server_type, type, random_key)
    WHERE annotation IS NULL;
-- Random questions (api.md §6.2): only insights that can become questions, so the walk never skips over the
-- automatic ones (most open product_weight insights are automatic).
CREATE INDEX product_insight_question_random_idx ON product_insight (server_type, type, random_key)
    WHERE annotation IS NULL AND automatic_processing = false;

CREATE TABLE prediction (
    id                    bigserial    PRIMARY KEY,
    barcode               varchar(100) NOT NULL,
    type                  varchar(256) NOT NULL,
    data                  jsonb        NOT NULL DEFAULT '{}',
    timestamp             timestamp    NOT NULL,
    value_tag             text,
    value                 text,
    source_image          text,
    automatic_processing  boolean,
    predictor             varchar(100),
    predictor_version     varchar(100),
    confidence            double precision,
    server_type           varchar(10)  NOT NULL DEFAULT 'off',
    CHECK (server_type IN ('off', 'obf', 'opff', 'opf', 'off_pro')),
    UNIQUE NULLS NOT DISTINCT (server_type, barcode, type, source_image, value_tag, value, predictor,
                               automatic_processing)
);
CREATE INDEX prediction_barcode_idx ON prediction (barcode);
CREATE INDEX prediction_type_idx ON prediction (type);
CREATE INDEX prediction_timestamp_idx ON prediction (timestamp);
CREATE INDEX prediction_value_tag_idx ON prediction (value_tag);
CREATE INDEX prediction_server_type_idx ON prediction (server_type);
CREATE INDEX prediction_product_type_idx ON prediction (server_type, barcode, type);
CREATE INDEX prediction_source_image_idx ON prediction (source_image);

CREATE TABLE annotation_vote (
    id          uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    insight_id  uuid      NOT NULL REFERENCES product_insight (id) ON DELETE CASCADE,
    username    text,
    value       integer   NOT NULL CHECK (value IN (-1, 0, 1)),
    device_id   text      NOT NULL,
    timestamp   timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX annotation_vote_insight_id_idx ON annotation_vote (insight_id);
CREATE INDEX annotation_vote_username_idx ON annotation_vote (username);
CREATE INDEX annotation_vote_device_id_idx ON annotation_vote (device_id);
CREATE UNIQUE INDEX annotation_vote_user_unique ON annotation_vote (insight_id, username)
    WHERE username IS NOT NULL;
CREATE UNIQUE INDEX annotation_vote_device_unique ON annotation_vote (insight_id, device_id)
    WHERE username IS NULL;

CREATE TABLE image (
    id            bigserial    PRIMARY KEY,
    barcode       varchar(100) NOT NULL,
    uploaded_at   timestamp,
    image_id      varchar(50)  NOT NULL,
    source_image  text         NOT NULL,
    width         integer      NOT NULL,
    height        integer      NOT NULL,
    deleted       boolean      NOT NULL DEFAULT false,
    server_type   varchar(10)  NOT NULL DEFAULT 'off',
    CHECK (server_type IN ('off', 'obf', 'opff', 'opf', 'off_pro')),
    UNIQUE (server_type, source_image)
);
CREATE INDEX image_barcode_idx ON image (barcode);
CREATE INDEX image_uploaded_at_idx ON image (uploaded_at);
CREATE INDEX image_image_id_idx ON image (image_id);
CREATE INDEX image_deleted_idx ON image (deleted);
CREATE INDEX image_server_type_idx ON image (server_type);

CREATE TABLE job (
    id          bigserial   PRIMARY KEY,
    kind        text        NOT NULL,
    payload     jsonb       NOT NULL DEFAULT '{}',
    state       text        NOT NULL DEFAULT 'pending'
                            CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts    integer     NOT NULL DEFAULT 0,
    run_after   timestamptz NOT NULL DEFAULT now(),
    locked_by   text,
    locked_at   timestamptz,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz
);
CREATE INDEX job_claim_idx ON job (run_after, id) WHERE state = 'pending';
CREATE UNIQUE INDEX job_dedup_idx ON job (kind, (payload->>'dedup_key'))
    WHERE state = 'pending' AND payload ? 'dedup_key';
CREATE INDEX job_purge_idx ON job (done_at) WHERE state IN ('done', 'failed');
CREATE INDEX job_running_product_idx ON job ((payload->>'product_key')) WHERE state = 'running';
-- Scheduler marks (ours): one row per (scheduled job, period) makes each scheduled run cluster-wide unique.
CREATE TABLE job_schedule (
    name      text        NOT NULL,
    period    timestamptz NOT NULL,
    job_id    bigint,
    fired_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, period)
);
