CREATE OR REPLACE TABLE bias_beyond_max_rank AS
SELECT count(*) AS impressions FROM impressions WHERE rank > 10;
