CREATE OR REPLACE TABLE evidence_query_ids AS
    WITH f AS (
      SELECT query_norm, query
      FROM (SELECT query_norm, query, count(*) AS n FROM serp_facts WHERE query_norm IS NOT NULL GROUP BY 1, 2)
      QUALIFY row_number() OVER (PARTITION BY query_norm
                                 ORDER BY n DESC, query) = 1
    )
    SELECT query_norm, query, row_number() OVER ()::INTEGER AS qid FROM f;
