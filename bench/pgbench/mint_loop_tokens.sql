-- One loop_tokens.mint call.
SELECT m.token_id FROM loop_tokens.mint('bench_org', 'pgbench mint') m;
