-- Robotoff 1.85's tables as ../shared/spec/migration.md §1 lists them (peewee's types), for the tests and the
-- benchmark of `robotoffd import-robotoff`. Not part of robotoffd's schema.
CREATE TABLE product_insight (
    id uuid PRIMARY KEY,
    barcode varchar(100) NOT NULL,
    type varchar(256) NOT NULL,
    data jsonb NOT NULL,
    timestamp timestamp,
    completed_at timestamp,
    annotation integer,
    annotated_result integer,
    n_votes integer NOT NULL,
    username text,
    countries jsonb,
    brands jsonb,
    process_after timestamp,
    value_tag text,
    value text,
    source_image text,
    automatic_processing boolean NOT NULL,
    server_type varchar(10),
    unique_scans_n integer NOT NULL,
    reserved_barcode boolean NOT NULL,
    predictor varchar(100),
    predictor_version varchar(100),
    campaign jsonb,
    confidence double precision,
    bounding_box jsonb,
    lc varchar[],
    with_image boolean
);
CREATE TABLE prediction (
    id serial PRIMARY KEY,
    barcode varchar(100) NOT NULL,
    type varchar(256) NOT NULL,
    data jsonb NOT NULL,
    timestamp timestamp NOT NULL,
    value_tag text,
    value text,
    source_image text,
    automatic_processing boolean,
    predictor varchar(100),
    predictor_version varchar(100),
    confidence double precision,
    server_type varchar(10) NOT NULL
);
CREATE TABLE annotation_vote (
    id uuid PRIMARY KEY,
    insight_id uuid NOT NULL REFERENCES product_insight (id) ON DELETE CASCADE,
    username text,
    value integer NOT NULL,
    device_id text NOT NULL,
    timestamp timestamp NOT NULL
);
CREATE TABLE image (
    id serial PRIMARY KEY,
    barcode varchar(100) NOT NULL,
    uploaded_at timestamp,
    image_id varchar(50) NOT NULL,
    source_image text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    deleted boolean NOT NULL,
    server_type varchar(10),
    fingerprint bigint
);
CREATE TABLE image_prediction (
    id serial PRIMARY KEY,
    type varchar(256) NOT NULL,
    model_name varchar(100) NOT NULL,
    model_version varchar(256) NOT NULL,
    data jsonb NOT NULL,
    timestamp timestamp,
    image_id integer NOT NULL REFERENCES image (id),
    max_confidence double precision
);
CREATE TABLE logo_annotation (
    id serial PRIMARY KEY,
    image_prediction_id integer NOT NULL REFERENCES image_prediction (id),
    index integer NOT NULL CHECK (index >= 0),
    bounding_box jsonb NOT NULL,
    score double precision NOT NULL,
    annotation_value varchar,
    annotation_value_tag varchar,
    taxonomy_value varchar,
    annotation_type varchar,
    username text,
    completed_at timestamp,
    nearest_neighbors jsonb,
    barcode varchar(100),
    source_image text,
    text text,
    server_type varchar(10),
    UNIQUE (image_prediction_id, index)
);
CREATE SCHEMA embedding;
CREATE TABLE embedding.logo_embedding (
    logo_id integer PRIMARY KEY REFERENCES logo_annotation (id) ON DELETE CASCADE,
    embedding bytea NOT NULL
);
CREATE TABLE embedding.image_embedding (
    image_id integer PRIMARY KEY REFERENCES image (id) ON DELETE CASCADE,
    embedding bytea NOT NULL
);
CREATE TABLE logo_confidence_threshold (
    id serial PRIMARY KEY,
    type varchar,
    value varchar,
    threshold double precision NOT NULL
);
