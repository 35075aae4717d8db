// PostGraphile's configuration for benches/peers.rs: the `notice` table of the benchmark's scratch PostgreSQL
// database, read-only, over HTTP, as a production deployment would serve it (no GraphiQL, no watch mode, no
// explain). PostGraphile derives its schema from the tables: `allNotices` takes `orderBy: [DISTRIBUTION_DATE_DESC,
// ROW_ID_DESC]` because `idx_notice_distribution` indexes `(distribution_date, id)` (migrations/src), and cursor
// paging (`after`) on that order. The bench passes the database URL in ZHILIANG_BENCH_PG_URL and the port and
// host on the command line (`-p`, `-n`).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString = process.env.ZHILIANG_BENCH_PG_URL;
if (!connectionString) {
  throw new Error("ZHILIANG_BENCH_PG_URL must name the PostgreSQL database to serve");
}

// Only the `notice` table becomes part of the schema, and only for reading: the other tables of the database
// (standards, enterprises, outbox...) are not what the benchmark compares.
const OnlyNoticesPlugin = {
  name: "ZhiliangBenchOnlyNoticesPlugin",
  version: "0.0.0",
  schema: {
    entityBehavior: {
      pgResource: {
        override(behavior, resource) {
          if (resource.name === "notice") {
            return [behavior, "-insert", "-update", "-delete"];
          }
          return [behavior, "-*"];
        },
      },
      // Look-ups by a unique key (`otherByRowId`): the entity is `[resource, unique]`.
      pgResourceUnique: {
        override(behavior, [resource]) {
          return resource.name === "notice" ? behavior : [behavior, "-*"];
        },
      },
    },
  },
};

export default {
  extends: [PostGraphileAmberPreset],
  plugins: [OnlyNoticesPlugin],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      // zhiliang's pool on PostgreSQL holds 10 connections (src/db.rs); the same here.
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
