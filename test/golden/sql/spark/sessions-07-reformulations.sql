CREATE OR REPLACE TEMPORARY VIEW reformulations AS
    SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to, CAST(count(*) AS BIGINT) AS count
    FROM serp_facts WHERE reformulated GROUP BY 1, 2 ORDER BY 1, 2;
