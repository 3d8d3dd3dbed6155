SELECT DISTINCT query_norm, next_query_norm FROM _serp_seq
    WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm AND next_serp_ts - ts <= 300000
    ORDER BY 1, 2;
