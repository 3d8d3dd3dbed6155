CREATE OR REPLACE TEMP TABLE _bias_serps AS
    SELECT s.*, r.serp_id IS NOT NULL AS randomized
    FROM serps s
    LEFT JOIN (SELECT DISTINCT serp_id FROM serp_randomized) r ON r.serp_id = s.serp_id;
