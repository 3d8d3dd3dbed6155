CREATE OR REPLACE TABLE reformulation_pairs AS
    WITH c AS (SELECT DISTINCT query_norm, next_query_norm FROM _serp_seq
    WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm AND next_serp_ts - ts <= 300000
    ORDER BY 1, 2),
    sets AS (
      SELECT query_norm, next_query_norm,
             list_distinct(list_filter(string_split(query_norm, ' '), w -> w <> '')) AS wa, list_distinct(list_filter(string_split(next_query_norm, ' '), w -> w <> '')) AS wb,
             list_distinct(list_transform(range(1, length(' ' || query_norm || ' ') - 1), i -> substring(' ' || query_norm || ' ', i, 3))) AS ta, list_distinct(list_transform(range(1, length(' ' || next_query_norm || ' ') - 1), i -> substring(' ' || next_query_norm || ' ', i, 3))) AS tb
      FROM c
    ),
    sim AS (
      SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to,
             CASE WHEN query_norm = next_query_norm THEN 1::DOUBLE
                  ELSE greatest(CASE WHEN length(wa) + length(wb) = 0 THEN 0::DOUBLE
                ELSE length(list_intersect(wa, wb)) / (length(wa) + length(wb) - length(list_intersect(wa, wb))) END,
                                CASE WHEN length(ta) + length(tb) = 0 THEN 0::DOUBLE
                ELSE length(list_intersect(ta, tb)) / (length(ta) + length(tb) - length(list_intersect(ta, tb))) END) END AS similarity
      FROM sets
    )
    SELECT query_norm_from, query_norm_to, similarity FROM sim WHERE similarity >= '0.2'::DOUBLE
    ORDER BY 1, 2;
