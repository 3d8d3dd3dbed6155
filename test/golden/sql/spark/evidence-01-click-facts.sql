CREATE OR REPLACE TEMPORARY VIEW click_facts AS
    WITH conv AS (
      SELECT doc_id, ts, serp_id, session_key FROM conversion_links WHERE session_key IS NOT NULL
    ),
    conv_hits AS (
      SELECT DISTINCT k.click_id
      FROM session_clicks k JOIN conv c ON c.doc_id = k.doc_id AND c.session_key = k.session_key
      WHERE c.serp_id = k.serp_id OR (c.ts IS NOT NULL AND k.ts IS NOT NULL AND c.ts >= k.ts)
    ),
    f AS (
      SELECT k.click_id, k.serp_id, k.session_key, k.user_id, s.query, s.query_norm, k.doc_id, k.rank, k.ts,
             k.dwell_ms, k.dwell_source,
             coalesce(k.dwell_ms >= 30000, false) AS satisfied,
             h.click_id IS NOT NULL AS converted,
             k.is_last_click AND coalesce(k.session_success, false) AS success_last,
             coalesce(k.dwell_ms < 10000, false) AS short_dwell,
             coalesce(k.dwell_ms >= 10000 AND k.dwell_ms < 30000, false) AS medium_dwell,
             coalesce(k.dwell_ms < 10000, false) AND k.pogo_return AS pogo,
             k.dwell_ms IS NULL AS unknown_dwell
      FROM session_clicks k JOIN serp_facts s USING (serp_id) LEFT JOIN conv_hits h USING (click_id)
    ),
    o AS (
      SELECT *,
             CASE WHEN converted THEN 'converted'
                  WHEN satisfied THEN 'satisfied'
                  WHEN success_last THEN 'success_last'
                  WHEN pogo THEN 'pogo'
                  WHEN short_dwell THEN 'short_dwell'
                  WHEN medium_dwell THEN 'medium_dwell'
                  ELSE 'weak_unknown_dwell' END AS outcome
      FROM f
    )
    SELECT *, outcome IN ('converted', 'satisfied', 'success_last', 'medium_dwell', 'weak_unknown_dwell') AS kept FROM o ORDER BY click_id;
