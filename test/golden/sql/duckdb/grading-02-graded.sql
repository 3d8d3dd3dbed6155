CREATE OR REPLACE TABLE evidence_graded AS
    WITH ex AS (SELECT * FROM (VALUES (1, 1), (2, 0.5), (3, 0.3333), (4, 0.25), (5, 0.2), (6, 0.1667), (7, 0.1429), (8, 0.125), (9, 0.1111), (10, 0.1)) t(rank, p)),
    -- the curve as one row p1..pR, each of ex.p's type (DECIMAL or DOUBLE, as the literals make it)
    ew AS (SELECT max(p) FILTER (WHERE rank = 1) AS p1, max(p) FILTER (WHERE rank = 2) AS p2, max(p) FILTER (WHERE rank = 3) AS p3, max(p) FILTER (WHERE rank = 4) AS p4, max(p) FILTER (WHERE rank = 5) AS p5, max(p) FILTER (WHERE rank = 6) AS p6, max(p) FILTER (WHERE rank = 7) AS p7, max(p) FILTER (WHERE rank = 8) AS p8, max(p) FILTER (WHERE rank = 9) AS p9, max(p) FILTER (WHERE rank = 10) AS p10 FROM ex),
    -- keys for the aggregations and the joins back to the table (strings only in small maps)
    gq AS (SELECT query_norm, qid FROM evidence_query_ids),
    gd AS (SELECT doc_id, did FROM evidence_doc_ids),
    gs AS (SELECT s.serp_id, gq.qid FROM serp_facts s JOIN gq USING (query_norm)),
    -- Sums of doubles are computed as integer counts per rank, then added in rank order: a
    -- parallel sum(double) adds in a thread-dependent order and changed the last bits between runs.
    -- A DECIMAL curve (the usual case: every value printed without an exponent) sums exactly, so
    -- the sum over impressions equals the rank-ordered sum of count x p to the last digit. A DOUBLE
    -- curve: one row per pair with its count at each rank 1..R, then the terms listed in rank order,
    -- ranks without impressions left out. With buildEvidence's per-pair impression ranks the exact
    -- sum is taken over those, no impression join.
    imp AS (
      SELECT qid, did, exp_exam FROM _gr_imp
    ),
    cl_r AS (
      SELECT gq.qid, gd.did, least(f.rank, 10) AS r, count(*) AS clicks,
             count(*) FILTER (WHERE outcome IN ('converted', 'satisfied', 'success_last')) AS good,
             count(*) FILTER (WHERE outcome IN ('pogo', 'short_dwell')) AS bad,
             count(*) FILTER (WHERE outcome IN ('medium_dwell', 'medium_dwell_dropped')) AS medium,
             count(*) FILTER (WHERE outcome = 'converted') AS conv
      FROM click_facts f JOIN gq USING (query_norm) JOIN gd USING (doc_id)
      GROUP BY 1, 2, 3
    ),
    cl_p AS (
      SELECT qid, did, sum(clicks) AS clicks, max(clicks) FILTER (WHERE r = 1) AS c1, max(clicks) FILTER (WHERE r = 2) AS c2, max(clicks) FILTER (WHERE r = 3) AS c3, max(clicks) FILTER (WHERE r = 4) AS c4, max(clicks) FILTER (WHERE r = 5) AS c5, max(clicks) FILTER (WHERE r = 6) AS c6, max(clicks) FILTER (WHERE r = 7) AS c7, max(clicks) FILTER (WHERE r = 8) AS c8, max(clicks) FILTER (WHERE r = 9) AS c9, max(clicks) FILTER (WHERE r = 10) AS c10,
             sum(good) AS good, sum(bad) AS bad, sum(medium) AS medium, sum(conv) AS conv
      FROM cl_r WHERE r >= 1
      GROUP BY 1, 2
    ),
    cl AS (
      SELECT qid, did, clicks,
             list_sum(list_filter([CASE WHEN c1 > 0 THEN c1 * (1.0 / greatest(ew.p1, 0.1)) END, CASE WHEN c2 > 0 THEN c2 * (1.0 / greatest(ew.p2, 0.1)) END, CASE WHEN c3 > 0 THEN c3 * (1.0 / greatest(ew.p3, 0.1)) END, CASE WHEN c4 > 0 THEN c4 * (1.0 / greatest(ew.p4, 0.1)) END, CASE WHEN c5 > 0 THEN c5 * (1.0 / greatest(ew.p5, 0.1)) END, CASE WHEN c6 > 0 THEN c6 * (1.0 / greatest(ew.p6, 0.1)) END, CASE WHEN c7 > 0 THEN c7 * (1.0 / greatest(ew.p7, 0.1)) END, CASE WHEN c8 > 0 THEN c8 * (1.0 / greatest(ew.p8, 0.1)) END, CASE WHEN c9 > 0 THEN c9 * (1.0 / greatest(ew.p9, 0.1)) END, CASE WHEN c10 > 0 THEN c10 * (1.0 / greatest(ew.p10, 0.1)) END], x -> x IS NOT NULL)) AS ips,
             good, bad, medium, conv
      FROM cl_p, ew
    ),
    c AS (
      SELECT e.*, coalesce(imp.exp_exam, 0)::DOUBLE AS x_exam, coalesce(cl.clicks, 0)::DOUBLE AS x_clicks,
             coalesce(cl.ips, 0)::DOUBLE AS x_ips, coalesce(cl.good, 0)::DOUBLE AS x_good, coalesce(cl.bad, 0)::DOUBLE AS x_bad,
             coalesce(cl.medium, 0)::DOUBLE AS x_medium, coalesce(cl.conv, 0)::DOUBLE AS x_conv
      FROM evidence e JOIN gq USING (query_norm) JOIN gd USING (doc_id) LEFT JOIN imp USING (qid, did) LEFT JOIN cl USING (qid, did)
    ),
    a AS (
      SELECT *, least(1::DOUBLE, (x_clicks + '0.5'::DOUBLE) / (x_exam + '2'::DOUBLE)) AS x_a,
             x_good + '0.5'::DOUBLE * x_medium AS x_g, x_bad + '0.5'::DOUBLE * x_medium AS x_b,
             x_conv > 0 AS x_converted
      FROM c
    ),
    u AS (
      SELECT *, CASE WHEN x_converted THEN greatest(x_u0, '0.6'::DOUBLE) ELSE x_u0 END AS x_u
      FROM (SELECT *, CASE WHEN x_clicks > 0 THEN x_a * ((x_g + '1'::DOUBLE) / (x_g + x_b + '2'::DOUBLE)) ELSE 0::DOUBLE END AS x_u0 FROM a)
    ),
    g AS (
      SELECT *, CASE WHEN x_converted THEN 3 WHEN x_u >= '0.5'::DOUBLE THEN 3 WHEN x_u >= '0.35'::DOUBLE THEN 2 WHEN x_u >= '0.2'::DOUBLE THEN 1 ELSE 0 END AS x_grade
      FROM u
    )
    -- no ORDER BY: every reader orders by (query_norm, doc_id) itself
    SELECT * EXCLUDE (x_exam, x_clicks, x_ips, x_good, x_bad, x_medium, x_conv, x_a, x_g, x_b, x_converted, x_u0, x_u, x_grade)
           REPLACE (x_grade::INTEGER AS grade,
                    CASE WHEN x_grade = 0 THEN 0::DOUBLE ELSE x_u END AS weight,
                    CASE WHEN x_grade > 0 THEN list_append(signals, 'debiased_relevance') ELSE []::VARCHAR[] END AS signals),
           x_exam AS expected_examinations, x_ips AS ips_clicks, x_good::INTEGER AS good_clicks, x_bad::INTEGER AS bad_clicks,
           x_medium::INTEGER AS medium_clicks, x_u AS relevance, grade AS funnel_grade
    FROM g;
