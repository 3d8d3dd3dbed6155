CREATE OR REPLACE TEMPORARY VIEW evidence_query_ids AS
    WITH f AS (
      SELECT query_norm, query FROM (
      SELECT query_norm, query,
             row_number() OVER (PARTITION BY query_norm
                                ORDER BY n DESC, query) AS _first
      FROM (SELECT query_norm, query, count(*) AS n FROM serp_facts WHERE query_norm IS NOT NULL GROUP BY 1, 2)
    ) WHERE _first = 1
    )
    SELECT query_norm, query, query_norm AS qid FROM f;
