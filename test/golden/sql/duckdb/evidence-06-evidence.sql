CREATE OR REPLACE TABLE evidence AS
    WITH imp AS (SELECT * EXCLUDE (imp_ranks) FROM evidence_pair_ranks),
    cl AS (
      SELECT s.qid, d.did,
             count(*) AS clicks,
             count(*) FILTER (WHERE satisfied) AS satisfied,
             count(*) FILTER (WHERE converted) AS converted,
             count(*) FILTER (WHERE success_last) AS success_last,
             count(*) FILTER (WHERE short_dwell) AS short_dwell,
             count(*) FILTER (WHERE pogo) AS pogo,
             count(*) FILTER (WHERE unknown_dwell) AS unknown_dwell,
             count(*) FILTER (WHERE outcome = 'converted') AS b_converted,
             count(*) FILTER (WHERE outcome = 'satisfied') AS b_satisfied,
             count(*) FILTER (WHERE outcome = 'success_last') AS b_success_last,
             count(*) FILTER (WHERE outcome = 'medium_dwell') AS b_medium,
             count(*) FILTER (WHERE outcome = 'weak_unknown_dwell') AS b_unknown,
             count(*) FILTER (WHERE kept) AS b_kept,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS b_negative
      FROM click_facts f JOIN _ev_serp s USING (serp_id) JOIN evidence_doc_ids d USING (doc_id) GROUP BY 1, 2
    ),
    j AS (
      SELECT q.query_norm, q.query, d.doc_id, imp.impressions,
             coalesce(cl.clicks, 0) AS clicks, coalesce(cl.satisfied, 0) AS satisfied,
             coalesce(cl.converted, 0) AS converted, coalesce(cl.success_last, 0) AS success_last,
             coalesce(cl.short_dwell, 0) AS short_dwell, coalesce(cl.pogo, 0) AS pogo,
             coalesce(cl.unknown_dwell, 0) AS unknown_dwell, imp.skip_above, imp.serps, imp.users,
             imp.first_ts, imp.last_ts,
             coalesce(cl.b_converted, 0) AS b_converted, coalesce(cl.b_satisfied, 0) AS b_satisfied,
             coalesce(cl.b_success_last, 0) AS b_success_last, coalesce(cl.b_medium, 0) AS b_medium,
             coalesce(cl.b_unknown, 0) AS b_unknown, coalesce(cl.b_kept, 0) AS b_kept,
             coalesce(cl.b_negative, 0) AS b_negative
      FROM imp LEFT JOIN cl USING (qid, did) JOIN evidence_query_ids q USING (qid) JOIN evidence_doc_ids d USING (did)
    ),
    g AS (
      SELECT *,
             CASE WHEN b_converted > 0 THEN 3
                  WHEN b_satisfied + b_success_last > 0 AND b_satisfied + b_success_last > b_negative THEN 2
                  WHEN b_kept > 0 THEN 1
                  ELSE 0 END AS grade
      FROM j
    )
    -- no ORDER BY: every reader orders by (query_norm, doc_id) itself (readEvidence, the parquet export)
    SELECT query_norm, query, doc_id,
           impressions::BIGINT AS impressions, clicks::BIGINT AS clicks, satisfied::BIGINT AS satisfied,
           converted::BIGINT AS converted, success_last::BIGINT AS success_last, short_dwell::BIGINT AS short_dwell,
           pogo::BIGINT AS pogo, unknown_dwell::BIGINT AS unknown_dwell, skip_above::BIGINT AS skip_above,
           serps::BIGINT AS serps, users::BIGINT AS users, first_ts, last_ts,
           grade::INTEGER AS grade,
           CASE WHEN grade > 0 THEN log2(1 + b_kept) ELSE 0 END::DOUBLE AS weight,
           CASE WHEN grade > 0 THEN list_filter([
             CASE WHEN b_converted > 0 THEN 'converted' END,
             CASE WHEN b_satisfied > 0 THEN 'satisfied' END,
             CASE WHEN b_success_last > 0 THEN 'success_last' END,
             CASE WHEN b_medium > 0 THEN 'medium_dwell' END,
             CASE WHEN b_unknown > 0 THEN 'unknown_dwell' END
           ], x -> x IS NOT NULL) ELSE []::VARCHAR[] END AS signals
    FROM g;
