-- One baseline_careful.trigger call for token :i of bench.plain: verify plus a run row.
\set i random(:first, :last)
SELECT baseline_careful.trigger('bench_org', 'bench_loop',
	(SELECT p.token FROM bench.plain p WHERE p.i = :i), '{"source": "pgbench"}');
