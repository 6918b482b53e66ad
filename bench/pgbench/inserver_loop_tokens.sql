-- :count loop_tokens.verify calls in one statement, with no client round trip
-- between them.
SELECT count(loop_tokens.verify(p.token, 'bench_org', 'bench_loop'))
FROM bench.plain p WHERE p.i <= :count;
