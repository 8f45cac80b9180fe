"""The "physical limit" of the scoring computations (issue 16): one set-based SQL statement each
that computes what property_rating.scoring computes, over the same rows in the same database.

- ANNUAL_SQL: A, status, rank, list, stars and the payout of every unit of a town-year from its
  quarter scores, satisfaction ratings, inspection scores, vetoes and imported inputs.
- QUARTER_SQL: status, raw points, days late, penalty, Q, tier and accrual of every unit
  assessed in one quarter from its report lines (or its imported score).

Both return one row per unit to the client (what the computation's reads and arithmetic come to,
without its explanation JSON or its writes), so the ratio to them is an upper bound on the
computation's overhead. bench_scoring.py also checks that they agree with the stored results.
"""

ANNUAL_SQL = """
WITH s AS (
    SELECT * FROM property_rating_scheme WHERE town_id = %(town)s AND year = %(year)s
), u AS (
    SELECT id, company_id, assessed_q1, assessed_q2, assessed_q3, assessed_q4,
           assessed_q1::int + assessed_q2::int + assessed_q3::int + assessed_q4::int AS n_assessed
    FROM property_rating_assessmentunit WHERE town_id = %(town)s AND year = %(year)s
), q AS (
    SELECT qs.unit_id,
           count(*) FILTER (WHERE qs.status <> 'pending') AS n_done,
           sum(qs.score) FILTER (WHERE qs.status <> 'pending') AS q_sum,
           coalesce(sum(qs.accrual) FILTER (WHERE qs.status <> 'pending'), 0) AS accrual_total
    FROM property_rating_quarterscore qs
    JOIN property_rating_assessmentunit au ON au.id = qs.unit_id
    WHERE au.town_id = %(town)s AND au.year = %(year)s
      AND ((qs.quarter = 1 AND au.assessed_q1) OR (qs.quarter = 2 AND au.assessed_q2)
           OR (qs.quarter = 3 AND au.assessed_q3) OR (qs.quarter = 4 AND au.assessed_q4))
    GROUP BY qs.unit_id
), sat AS (
    SELECT r.unit_id, count(*) AS n, sum(r.rating) AS total
    FROM property_rating_satisfactionrating r
    JOIN property_rating_assessmentunit au ON au.id = r.unit_id
    WHERE au.town_id = %(town)s AND au.year = %(year)s GROUP BY r.unit_id
), insp AS (
    SELECT e.unit_id, count(*) AS n, sum(e.score) AS total
    FROM property_rating_inspectionscore e
    JOIN property_rating_assessmentunit au ON au.id = e.unit_id
    WHERE au.town_id = %(town)s AND au.year = %(year)s GROUP BY e.unit_id
), v AS (
    SELECT DISTINCT v.unit_id FROM property_rating_veto v
    JOIN property_rating_assessmentunit au ON au.id = v.unit_id
    WHERE au.town_id = %(town)s AND au.year = %(year)s AND v.revoked_at IS NULL
), c AS MATERIALIZED (
    SELECT u.id, u.company_id,
           v.unit_id IS NOT NULL AS vetoed,
           coalesce(q.n_done, 0) < u.n_assessed AS waiting,
           coalesce(q.accrual_total, 0) AS accrual_total,
           CASE WHEN coalesce(q.n_done, 0) > 0 AND q.n_done = u.n_assessed
                THEN q.q_sum / q.n_done END AS q_mean,
           CASE WHEN imp.id IS NOT NULL THEN imp.satisfaction
                WHEN sat.n >= s.min_satisfaction_responses AND sat.n > 0
                THEN (sat.total - sat.n) * 25.0 / sat.n END AS sat,
           CASE WHEN imp.id IS NOT NULL THEN imp.inspection
                WHEN insp.n > 0 THEN insp.total / insp.n END AS insp
    FROM u CROSS JOIN s
    LEFT JOIN q ON q.unit_id = u.id
    LEFT JOIN sat ON sat.unit_id = u.id
    LEFT JOIN insp ON insp.unit_id = u.id
    LEFT JOIN property_rating_importedannualinput imp ON imp.unit_id = u.id
    LEFT JOIN v ON v.unit_id = u.id
), a AS (
    SELECT c.*,
           CASE WHEN c.waiting AND NOT c.vetoed THEN NULL ELSE round(
               (coalesce(s.weight_quarterly * c.q_mean, 0) + coalesce(s.weight_satisfaction * c.sat, 0)
                + coalesce(s.weight_inspection * c.insp, 0))
               / nullif(CASE WHEN c.q_mean IS NULL THEN 0 ELSE s.weight_quarterly END
                        + CASE WHEN c.sat IS NULL THEN 0 ELSE s.weight_satisfaction END
                        + CASE WHEN c.insp IS NULL THEN 0 ELSE s.weight_inspection END, 0),
               2) END AS score
    FROM c CROSS JOIN s
), st AS (
    SELECT a.*,
           CASE WHEN a.waiting AND NOT a.vetoed THEN 'pending' WHEN a.vetoed THEN 'vetoed'
                WHEN a.score IS NULL THEN 'unrated' ELSE 'rated' END AS status
    FROM a
), r AS (
    SELECT st.*,
           CASE WHEN st.status = 'rated'
                THEN rank() OVER (PARTITION BY st.status = 'rated' ORDER BY st.score DESC) END AS rank
    FROM st
), l AS (
    SELECT r.*,
           CASE WHEN r.vetoed THEN 'black' WHEN r.status <> 'rated' THEN ''
                WHEN r.score < s.black_list_below THEN 'black'
                WHEN r.rank <= s.red_list_size AND r.score >= s.red_list_min_score THEN 'red'
                ELSE '' END AS list_name,
           CASE WHEN r.vetoed OR r.status <> 'rated' OR r.score < s.black_list_below THEN 0
                WHEN r.rank <= s.red_list_size AND r.score >= s.red_list_min_score THEN 5
                WHEN r.score >= s.four_star_min THEN 4
                WHEN r.score >= s.three_star_min THEN 3 ELSE 0 END AS stars,
           CASE WHEN r.status = 'pending' THEN NULL
                WHEN r.vetoed OR (r.status = 'rated' AND r.score < s.black_list_below) THEN 0
                ELSE least(s.annual_cap, r.accrual_total) END AS amount
    FROM r CROSS JOIN s
)
SELECT l.id, l.status, l.score, l.rank, l.stars, l.list_name,
       CASE WHEN l.amount IS NULL THEN NULL
            WHEN s.cap_scope = 'company'
                 AND sum(l.amount) OVER (PARTITION BY l.company_id) > s.annual_cap
            THEN trunc(l.amount * s.annual_cap / sum(l.amount) OVER (PARTITION BY l.company_id), 2)
            ELSE l.amount END AS payout
FROM l CROSS JOIN s
"""

QUARTER_SQL = """
WITH s AS (
    SELECT * FROM property_rating_scheme WHERE town_id = %(town)s AND year = %(year)s
), u AS (
    SELECT id FROM property_rating_assessmentunit
    WHERE town_id = %(town)s AND year = %(year)s
      AND CASE %(quarter)s WHEN 1 THEN assessed_q1 WHEN 2 THEN assessed_q2
                           WHEN 3 THEN assessed_q3 ELSE assessed_q4 END
), rep AS (
    SELECT r.unit_id, r.status, r.first_submitted_at,
           sum(i.awarded_points) AS points,
           count(*) FILTER (WHERE i.id IS NOT NULL AND i.awarded_points IS NULL) AS unreviewed
    FROM property_rating_quarterlyreport r
    JOIN property_rating_assessmentunit au ON au.id = r.unit_id
    LEFT JOIN property_rating_reportitem i ON i.report_id = r.id
    WHERE r.quarter = %(quarter)s AND au.town_id = %(town)s AND au.year = %(year)s
    GROUP BY r.id
), x AS (
    SELECT u.id, imp.score AS imported, rep.status AS report_status, rep.first_submitted_at,
           coalesce(rep.points, 0) AS raw, rep.unreviewed,
           CASE WHEN rep.first_submitted_at > %(due)s
                THEN ceil(extract(epoch FROM rep.first_submitted_at - %(due)s) / 86400)::int
                ELSE 0 END AS days
    FROM u
    LEFT JOIN property_rating_importedquarterscore imp
           ON imp.unit_id = u.id AND imp.quarter = %(quarter)s
    LEFT JOIN rep ON rep.unit_id = u.id
), y AS (
    SELECT x.*,
           CASE WHEN x.imported IS NOT NULL THEN 'imported'
                WHEN x.first_submitted_at IS NULL
                THEN CASE WHEN %(due_passed)s THEN 'missing' ELSE 'pending' END
                WHEN x.report_status <> 'reviewed' OR x.unreviewed > 0 THEN 'pending'
                ELSE 'scored' END AS status,
           least(s.late_penalty_cap, x.days * s.late_penalty_per_day) AS penalty
    FROM x CROSS JOIN s
), z AS (
    SELECT y.*,
           CASE y.status WHEN 'imported' THEN y.imported WHEN 'missing' THEN 0
                WHEN 'scored' THEN greatest(0, y.raw - y.penalty) END AS score
    FROM y
)
SELECT z.id, z.status, z.score, t.percent,
       round(s.annual_cap / 4 * t.percent / 100, 2) AS accrual
FROM z CROSS JOIN s
LEFT JOIN LATERAL (
    SELECT coalesce((SELECT tr.percent FROM property_rating_tierrow tr
                     WHERE tr.scheme_id = s.id AND tr.min_score <= z.score
                     ORDER BY tr.min_score DESC LIMIT 1), 0) AS percent
    WHERE z.score IS NOT NULL
) t ON true
"""


def run_annual(cursor, *, town_id: int, year: int) -> list[tuple]:
    cursor.execute(ANNUAL_SQL, {"town": town_id, "year": year})
    return cursor.fetchall()


def run_quarter(cursor, *, town_id: int, year: int, quarter: int, due, due_passed: bool):
    params = {
        "town": town_id,
        "year": year,
        "quarter": quarter,
        "due": due,
        "due_passed": due_passed,
    }
    cursor.execute(QUARTER_SQL, params)
    return cursor.fetchall()
