-- One loop_tokens.verify call for token :i of bench.plain.
\set i random(:first, :last)
SELECT loop_tokens.verify((SELECT p.token FROM bench.plain p WHERE p.i = :i),
	'bench_org', 'bench_loop');
