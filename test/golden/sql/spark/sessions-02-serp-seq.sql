CREATE OR REPLACE TEMPORARY VIEW _serp_seq AS
    SELECT *,
           row_number() OVER w AS session_seq,
           lead(ts) OVER w AS next_serp_ts,
           lead(query_norm) OVER w AS next_query_norm
    FROM _serp_base
    WINDOW w AS (PARTITION BY session_key ORDER BY ts, serp_id);
