CREATE OR REPLACE TEMP TABLE _gr_imp AS
    WITH ex AS (SELECT * FROM (VALUES (1, 1), (2, 0.5), (3, 0.3333), (4, 0.25), (5, 0.2), (6, 0.1667), (7, 0.1429), (8, 0.125), (9, 0.1111), (10, 0.1)) t(rank, p))
    SELECT qid, did, list_sum(list_transform(imp_ranks, r -> pl[least(r, 10)])) AS exp_exam
    FROM evidence_pair_ranks, (SELECT list(p ORDER BY rank) AS pl FROM ex);
