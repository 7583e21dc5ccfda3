-- 0014: an agency's involvement records can name the practitioner and the team, so that "who is
-- involved" can show them beside the involvements recorded in Team Around (src/policy/agency-involvements.ts).
-- Both optional; a feed maps them like any other column. Read by person through source_record_subject (0009).
alter table source_record add column practitioner_name text;
alter table source_record add column team_name text;
