-- Synthetic data of bench/api_bench.sh: psql -v products=N -v insights=N -f bench/api_bench_data.sql
-- Products: 13-digit barcodes, popularity with a long tail, a realistic country mix.
INSERT INTO product (server_type, barcode, product_name, countries_tags, brands_tags, unique_scans_n, source)
SELECT 'off', lpad((3000000000000 + g::bigint * 7919)::text, 13, '0'), 'product ' || g,
       CASE WHEN r < 0.40 THEN '["en:france"]' WHEN r < 0.55 THEN '["en:united-states"]'
            WHEN r < 0.65 THEN '["en:germany"]' WHEN r < 0.75 THEN '["en:spain"]'
            WHEN r < 0.83 THEN '["en:italy"]' WHEN r < 0.90 THEN '["en:united-kingdom"]'
            WHEN r < 0.95 THEN '["en:belgium", "en:france"]' ELSE '["en:switzerland"]' END::jsonb,
       ('["brand-' || (g % 50000) || '"]')::jsonb,
       floor(power(random(), 8) * 5000)::int, 'dump'
FROM (SELECT g, random() AS r FROM generate_series(1, :products) g) s;

-- Insights: ~10 per product, a type mix close to production, 30 % annotated, automatic types flagged.
INSERT INTO product_insight (barcode, type, data, timestamp, completed_at, annotation, n_votes, countries, brands,
                             process_after, value_tag, value, source_image, automatic_processing, server_type,
                             unique_scans_n, reserved_barcode, predictor, predictor_version, campaign, confidence,
                             with_image)
SELECT p.barcode, t.type, '{"text":"synthetic"}'::jsonb,
       now() AT TIME ZONE 'utc' - (random() * interval '700 days'),
       CASE WHEN a.annotated THEN now() AT TIME ZONE 'utc' END,
       CASE WHEN a.annotated THEN (ARRAY[-1, 0, 1, 1, 1])[1 + floor(random() * 5)::int] END,
       floor(random() * random() * 3)::int, p.countries_tags, p.brands_tags,
       CASE WHEN t.auto AND NOT a.annotated THEN now() AT TIME ZONE 'utc' + interval '10 minutes' END,
       CASE WHEN t.type IN ('label', 'category', 'brand', 'store', 'nutrition_image', 'image_orientation',
                            'ingredient_spellcheck')
            THEN t.prefix || (floor(power(random(), 2) * t.spread))::int END,
       CASE WHEN t.type IN ('product_weight', 'packager_code', 'expiration_date', 'brand', 'store', 'packaging')
            THEN t.type || ' ' || floor(random() * 1000)::int END,
       '/' || substr(p.barcode, 1, 3) || '/' || substr(p.barcode, 4, 3) || '/' || substr(p.barcode, 7, 3) || '/' ||
           substr(p.barcode, 10) || '/' || (1 + floor(random() * 6)::int) || '.jpg',
       t.auto, 'off', p.unique_scans_n, false, t.predictor, '1',
       CASE WHEN t.type = 'category' AND random() < 0.3 THEN '["agribalyse-category"]' ELSE '[]' END::jsonb,
       CASE WHEN t.predictor = 'google-cloud-vision' THEN random() END, true
FROM (SELECT g, 1 + floor(random() * :products)::int AS pid, random() AS r, random() AS r2
      FROM generate_series(1, :insights) g) s
JOIN LATERAL (SELECT s.r2 < 0.3 AS annotated) a ON true
JOIN LATERAL (
    SELECT * FROM (VALUES
        (0.00, 0.25, 'label', 'en:label-', 300, false, 'flashtext'),
        (0.25, 0.45, 'category', 'en:category-', 3000, false, 'matcher'),
        (0.45, 0.55, 'product_weight', '', 1, true, 'regex'),
        (0.55, 0.65, 'brand', 'brand-', 20000, false, 'curated-list'),
        (0.65, 0.73, 'packager_code', '', 1, true, 'regex'),
        (0.73, 0.78, 'store', 'store-', 200, true, 'regex'),
        (0.78, 0.83, 'expiration_date', '', 1, true, 'regex'),
        (0.83, 0.90, 'packaging', '', 1, false, 'grammar'),
        (0.90, 0.93, 'nutrition_image', 'lang-', 5, true, 'nutrient-mention'),
        (0.93, 0.97, 'image_orientation', 'left', 1, true, 'ocr-orientation'),
        (0.97, 1.01, 'ingredient_spellcheck', 'fr', 1, false, 'spellcheck')
    ) v(lo, hi, type, prefix, spread, auto, predictor)
    WHERE s.r >= v.lo AND s.r < v.hi
) t ON true
JOIN product p ON p.barcode = lpad((3000000000000 + s.pid::bigint * 7919)::text, 13, '0');
