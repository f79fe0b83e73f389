-- Questions by confidence (GET /api/v1/questions?order_by=confidence, api.md §6): questions::by_confidence
-- filters `type = ANY($n::text[])` and orders by `confidence DESC NULLS LAST, id`.
--
-- One partial index per question type (questions.md §1), not one (server_type, type, confidence, id) index:
-- on PostgreSQL 15 (checked with EXPLAIN) a `= ANY(array)` condition on a non-leading index column makes
-- the planner treat the index scan as unordered, so the composite index would only feed a bitmap scan and
-- a sort of every open question of the type (the popularity and random orders avoid this with one
-- `type = $n` branch per type). `type = ANY('{label}')` with a known one-element array does imply
-- `type = 'label'`, so the query of one type walks its own index in order and stops after LIMIT rows.
-- by_confidence runs as an unnamed statement, whose plan is always made with the parameter values.
-- Queries over several types still sort. A new question type needs its own index here.
-- Together these hold the same entries as one composite index would; an insert goes into at most one.
CREATE INDEX product_insight_question_confidence_category_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'category' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_label_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'label' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_product_weight_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'product_weight' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_brand_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'brand' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_packaging_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'packaging' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_nutrition_image_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'nutrition_image' AND annotation IS NULL AND automatic_processing = false;
CREATE INDEX product_insight_question_confidence_image_orientation_idx
    ON product_insight (server_type, confidence DESC NULLS LAST, id)
    WHERE type = 'image_orientation' AND annotation IS NULL AND automatic_processing = false;
