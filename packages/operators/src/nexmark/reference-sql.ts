/**
 * Each query in SQL (DuckDB dialect) over tables `person`, `auction` and `bid` holding the generated
 * events: the reference the tests compare with and the bench's baseline.
 */

const BID_COLUMNS = 'auction::BIGINT AS auction, bidder::BIGINT AS bidder, price::BIGINT AS price, channel, url, dateTime::BIGINT AS dateTime, extra';

/** The side table of q13: a value per `auction % 10 000`. */
export const q13SideValue = (key: number): string => `v${key % 97}`;

export const NEXMARK_SQL = {
  q0: `SELECT ${BID_COLUMNS} FROM bid`,
  q1: `SELECT ${BID_COLUMNS.replace('price::BIGINT AS price', 'floor(price * 0.908)::BIGINT AS price')} FROM bid`,
  q2: 'SELECT auction::BIGINT AS auction, price::BIGINT AS price FROM bid WHERE auction % 123 = 0',
  q3: "SELECT P.name, P.city, P.state, A.id::BIGINT AS id FROM auction A JOIN person P ON A.seller = P.id WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')",
  q4: `SELECT category::BIGINT AS category, avg(final) AS avg FROM (
         SELECT max(B.price) AS final, A.category FROM auction A JOIN bid B ON A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category)
       GROUP BY category`,
  q5: `WITH w AS (SELECT auction, (dateTime - dateTime % 2000) - k * 2000 AS start FROM bid, range(0, 5) t(k)),
            c AS (SELECT start, auction, count(*) AS n FROM w GROUP BY ALL)
       SELECT start::BIGINT AS start, auction::BIGINT AS auction, n::BIGINT AS count FROM c WHERE n = (SELECT max(n) FROM c c2 WHERE c2.start = c.start)`,
  q7: `SELECT ${BID_COLUMNS} FROM bid B JOIN (SELECT dateTime - dateTime % 10000 AS ws, max(price) AS mp FROM bid GROUP BY 1) M ON B.dateTime - B.dateTime % 10000 = M.ws AND B.price = M.mp`,
  q8: 'SELECT P.id::BIGINT AS id, P.name, A.reserve::BIGINT AS reserve FROM person P JOIN auction A ON P.id = A.seller AND P.dateTime - P.dateTime % 10000 = A.dateTime - A.dateTime % 10000',
  q11: `WITH o AS (SELECT bidder, dateTime, CASE WHEN dateTime - lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) <= 10000 THEN 0 ELSE 1 END AS new FROM bid),
             s AS (SELECT bidder, dateTime, sum(new) OVER (PARTITION BY bidder ORDER BY dateTime RANGE UNBOUNDED PRECEDING) AS sid FROM o)
        SELECT bidder::BIGINT AS bidder, count(*)::BIGINT AS count, min(dateTime)::BIGINT AS start, (max(dateTime) + 10000)::BIGINT AS "end" FROM s GROUP BY bidder, sid`,
  q13: `SELECT ${BID_COLUMNS}, 'v' || ((auction % 10000) % 97) AS value FROM bid`,
} as const;

export type NexmarkQueryName = keyof typeof NEXMARK_SQL;
