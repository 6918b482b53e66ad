-- loop_tokens 1.0: triggers that tag runs and enforce the audit rules.

CREATE FUNCTION loop_tokens.runs_before_insert()
RETURNS trigger
AS 'MODULE_PATHNAME', 'lt_runs_before_insert'
LANGUAGE C;

COMMENT ON FUNCTION loop_tokens.runs_before_insert() IS
	'Trigger: fills run_id and tags the run with the token verified in the transaction.';

CREATE TRIGGER runs_before_insert
	BEFORE INSERT ON loop_tokens.runs
	FOR EACH ROW EXECUTE FUNCTION loop_tokens.runs_before_insert();

CREATE FUNCTION loop_tokens.runs_after_insert()
RETURNS trigger
AS 'MODULE_PATHNAME', 'lt_runs_after_insert'
LANGUAGE C;

COMMENT ON FUNCTION loop_tokens.runs_after_insert() IS
	'Trigger: sends NOTIFY loop_tokens_runs with the new run id, delivered at commit.';

CREATE TRIGGER runs_after_insert
	AFTER INSERT ON loop_tokens.runs
	FOR EACH ROW EXECUTE FUNCTION loop_tokens.runs_after_insert();

CREATE FUNCTION loop_tokens.tokens_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'lt_tokens_guard'
LANGUAGE C;

COMMENT ON FUNCTION loop_tokens.tokens_guard() IS
	'Trigger: forbids deleting tokens and changing what is fixed at mint or revocation; keeps last_used_at from moving backwards.';

CREATE TRIGGER tokens_guard
	BEFORE UPDATE OR DELETE ON loop_tokens.tokens
	FOR EACH ROW EXECUTE FUNCTION loop_tokens.tokens_guard();

CREATE TRIGGER tokens_guard_truncate
	BEFORE TRUNCATE ON loop_tokens.tokens
	FOR EACH STATEMENT EXECUTE FUNCTION loop_tokens.tokens_guard();

CREATE FUNCTION loop_tokens.runs_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'lt_runs_guard'
LANGUAGE C;

COMMENT ON FUNCTION loop_tokens.runs_guard() IS
	'Trigger: forbids changing a run after insert, so its attribution to a token or user stays as recorded.';

CREATE TRIGGER runs_guard
	BEFORE UPDATE ON loop_tokens.runs
	FOR EACH ROW EXECUTE FUNCTION loop_tokens.runs_guard();
