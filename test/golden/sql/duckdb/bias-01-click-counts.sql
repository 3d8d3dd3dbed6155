CREATE OR REPLACE TABLE bias_counts AS

WITH clicked AS (SELECT DISTINCT serp_id, rank FROM clicks)
SELECT s.query AS query, i.doc_id AS doc_id, (i.rank - 1)::INTEGER AS rank0,
  (CASE WHEN (s.randomized) THEN 2 WHEN hash(s.serp_id || '#42') % 1000000 < 100000 THEN 1 ELSE 0 END)::INTEGER AS fold,
  count(*)::BIGINT AS n,
  count(c.serp_id)::BIGINT AS k
FROM impressions i
JOIN _bias_serps s ON s.serp_id = i.serp_id
LEFT JOIN clicked c ON c.serp_id = i.serp_id AND c.rank = i.rank
WHERE i.rank <= 10
GROUP BY ALL;
