CREATE OR REPLACE TEMPORARY VIEW reformulation_pairs AS
    WITH c AS (SELECT DISTINCT query_norm, next_query_norm FROM _serp_seq
    WHERE next_query_norm IS NOT NULL AND next_query_norm <> query_norm AND next_serp_ts - ts <= 300000
    ORDER BY 1, 2),
    sets AS (
      SELECT query_norm, next_query_norm,
             array_distinct(filter(split(query_norm, ' '), w -> w <> '')) AS wa, array_distinct(filter(split(next_query_norm, ' '), w -> w <> '')) AS wb,
             CASE WHEN length(' ' || query_norm || ' ') >= 3 THEN array_distinct(transform(sequence(1, length(' ' || query_norm || ' ') - 2), i -> substring(' ' || query_norm || ' ', i, 3))) ELSE CAST(array() AS ARRAY<STRING>) END AS ta, CASE WHEN length(' ' || next_query_norm || ' ') >= 3 THEN array_distinct(transform(sequence(1, length(' ' || next_query_norm || ' ') - 2), i -> substring(' ' || next_query_norm || ' ', i, 3))) ELSE CAST(array() AS ARRAY<STRING>) END AS tb
      FROM c
    ),
    sim AS (
      SELECT query_norm AS query_norm_from, next_query_norm AS query_norm_to,
             CASE WHEN query_norm = next_query_norm THEN CAST(1 AS DOUBLE)
                  ELSE greatest(CASE WHEN size(wa) + size(wb) = 0 THEN CAST(0 AS DOUBLE)
                ELSE CAST(size(array_intersect(wa, wb)) AS DOUBLE) / CAST((size(wa) + size(wb) - size(array_intersect(wa, wb))) AS DOUBLE) END,
                                CASE WHEN size(ta) + size(tb) = 0 THEN CAST(0 AS DOUBLE)
                ELSE CAST(size(array_intersect(ta, tb)) AS DOUBLE) / CAST((size(ta) + size(tb) - size(array_intersect(ta, tb))) AS DOUBLE) END) END AS similarity
      FROM sets
    )
    SELECT query_norm_from, query_norm_to, similarity FROM sim WHERE similarity >= CAST('0.2' AS DOUBLE)
    ORDER BY 1, 2;
