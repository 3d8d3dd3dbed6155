CREATE OR REPLACE TEMPORARY VIEW bias_fold_pages AS

SELECT CAST((CASE WHEN (s.randomized) THEN 2 WHEN pmod(xxhash64(s.serp_id || '#42'), 1000000) < 100000 THEN 1 ELSE 0 END) AS INTEGER) AS fold, CAST(count(*) AS DOUBLE) AS pages
FROM _bias_serps s WHERE s.serp_id IN (SELECT serp_id FROM impressions WHERE rank <= 10)
GROUP BY ALL;
