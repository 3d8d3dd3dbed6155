CREATE OR REPLACE TEMPORARY VIEW job_counts AS
    SELECT 0 AS ord, 'sessions' AS stage, 'serps' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM serp_facts c WHERE true
    UNION ALL
    SELECT 1 AS ord, 'sessions' AS stage, 'clicks' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM clicks c WHERE true
    UNION ALL
    SELECT 2 AS ord, 'sessions' AS stage, 'conversions' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM conversions c WHERE true
    UNION ALL
    SELECT 3 AS ord, 'sessions' AS stage, 'session_ends' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_ends c WHERE true
    UNION ALL
    SELECT 4 AS ord, 'sessions' AS stage, 'sessions' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM (SELECT DISTINCT session_key FROM serp_facts WHERE session_key IS NOT NULL) c WHERE true
    UNION ALL
    SELECT 5 AS ord, 'sessions' AS stage, 'serps_reformulated' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM serp_facts c WHERE reformulated
    UNION ALL
    SELECT 6 AS ord, 'sessions' AS stage, 'reformulation_edges' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM reformulations c WHERE true
    UNION ALL
    SELECT 7 AS ord, 'sessions' AS stage, 'distinct_queries' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM query_norms c WHERE true
    UNION ALL
    SELECT 8 AS ord, 'sessions' AS stage, 'session_clicks' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE true
    UNION ALL
    SELECT 9 AS ord, 'sessions' AS stage, 'dwell_given' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE dwell_source = 'given'
    UNION ALL
    SELECT 10 AS ord, 'sessions' AS stage, 'dwell_derived' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE dwell_source = 'derived'
    UNION ALL
    SELECT 11 AS ord, 'sessions' AS stage, 'dwell_unknown' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE dwell_source = 'unknown'
    UNION ALL
    SELECT 12 AS ord, 'sessions' AS stage, 'dwell_capped' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE dwell_capped
    UNION ALL
    SELECT 13 AS ord, 'sessions' AS stage, 'clicks_returned' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM session_clicks c WHERE pogo_return
    UNION ALL
    SELECT 14 AS ord, 'sessions' AS stage, 'conversions_given' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM conversion_links c WHERE link = 'given'
    UNION ALL
    SELECT 15 AS ord, 'sessions' AS stage, 'conversions_linked' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM conversion_links c WHERE link = 'linked'
    UNION ALL
    SELECT 16 AS ord, 'sessions' AS stage, 'conversions_unlinked' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM conversion_links c WHERE link = 'unlinked'
    UNION ALL
    SELECT 17 AS ord, 'sessions' AS stage, 'session_ends_unmatched' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM _ends_linked c WHERE session_key IS NULL
    UNION ALL
    SELECT 18 AS ord, 'evidence' AS stage, 'impressions' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM impressions c WHERE true
    UNION ALL
    SELECT 19 AS ord, 'evidence' AS stage, 'click_facts' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE true
    UNION ALL
    SELECT 20 AS ord, 'evidence' AS stage, 'outcome_converted' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'converted'
    UNION ALL
    SELECT 21 AS ord, 'evidence' AS stage, 'outcome_satisfied' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'satisfied'
    UNION ALL
    SELECT 22 AS ord, 'evidence' AS stage, 'outcome_success_last' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'success_last'
    UNION ALL
    SELECT 23 AS ord, 'evidence' AS stage, 'outcome_pogo' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'pogo'
    UNION ALL
    SELECT 24 AS ord, 'evidence' AS stage, 'outcome_short_dwell' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'short_dwell'
    UNION ALL
    SELECT 25 AS ord, 'evidence' AS stage, 'outcome_medium_dwell' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'medium_dwell'
    UNION ALL
    SELECT 26 AS ord, 'evidence' AS stage, 'outcome_medium_dwell_dropped' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'medium_dwell_dropped'
    UNION ALL
    SELECT 27 AS ord, 'evidence' AS stage, 'outcome_weak_unknown_dwell' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'weak_unknown_dwell'
    UNION ALL
    SELECT 28 AS ord, 'evidence' AS stage, 'outcome_unknown_dwell' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM click_facts c WHERE outcome = 'unknown_dwell'
    UNION ALL
    SELECT 29 AS ord, 'evidence' AS stage, 'evidence_rows' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE true
    UNION ALL
    SELECT 30 AS ord, 'evidence' AS stage, 'clicked_pairs' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE clicks > 0
    UNION ALL
    SELECT 31 AS ord, 'evidence' AS stage, 'grade_0' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE grade = 0
    UNION ALL
    SELECT 32 AS ord, 'evidence' AS stage, 'grade_1' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE grade = 1
    UNION ALL
    SELECT 33 AS ord, 'evidence' AS stage, 'grade_2' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE grade = 2
    UNION ALL
    SELECT 34 AS ord, 'evidence' AS stage, 'grade_3' AS name, CAST(coalesce(count(*), 0) AS BIGINT) AS n FROM evidence c WHERE grade = 3
    UNION ALL
    SELECT 35 AS ord, 'bias' AS stage, 'rank_beyond_max' AS name, CAST(coalesce(max(n), 0) AS BIGINT) AS n FROM (SELECT impressions AS n FROM bias_beyond_max_rank) c WHERE true;
