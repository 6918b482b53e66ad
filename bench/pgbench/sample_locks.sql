-- One sample of the benchmark's backends, taken every 20 ms while a run
-- lasts.  Run with -M simple, so :run is pasted in as a literal.
INSERT INTO bench.lock_samples (run, backends, lock_waiters, wait_events)
SELECT :run, count(*), count(*) FILTER (WHERE a.wait_event_type = 'Lock'),
	string_agg(DISTINCT a.wait_event, ',') FILTER (WHERE a.wait_event_type = 'Lock')
FROM pg_stat_activity a
WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
	AND a.datname = current_database() AND a.state = 'active';
\sleep 20 ms
