-- One baseline_naive.mint call.
SELECT m.token_id FROM baseline_naive.mint('bench_org', 'pgbench mint') m;
