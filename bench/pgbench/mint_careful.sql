-- One baseline_careful.mint call.
SELECT m.token_id FROM baseline_careful.mint('bench_org', 'pgbench mint') m;
