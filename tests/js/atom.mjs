// Parses an Atom feed file with feedparser and prints {type, title, id, updated, self, entries: [...]} as JSON.
// Fails (exit 1) when the file is not Atom or an RFC 4287 element the tests rely on is missing.
// Usage: node tests/js/atom.mjs FILE [FEED_URL]
import { createReadStream } from "node:fs";
import FeedParser from "feedparser";

const [file, feedurl = "http://localhost/"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node atom.mjs FILE [FEED_URL]");
  process.exit(2);
}

const parser = new FeedParser({ strict: true, feedurl, addmeta: false });
const entries = [];
let meta = null;
parser.on("error", (e) => {
  console.error(`not a valid feed: ${e.message}`);
  process.exit(1);
});
parser.on("meta", (m) => {
  meta = m;
});
parser.on("readable", function () {
  let item;
  while ((item = this.read())) {
    entries.push({
      id: item.guid,
      title: item.title,
      updated: item.date && item.date.toISOString(),
      published: item.pubdate && item.pubdate.toISOString(),
      link: item.link,
      summary: item.summary,
      tags: item.categories || [],
    });
  }
});
parser.on("end", () => {
  const problems = [];
  if (!meta || meta["#type"] !== "atom") problems.push(`not Atom: ${meta && meta["#type"]}`);
  const atomFeed = meta && meta["atom:id"] && meta["atom:id"]["#"];
  if (!atomFeed) problems.push("feed has no atom:id");
  if (!meta || !meta.title) problems.push("feed has no title");
  if (!meta || !meta.date) problems.push("feed has no updated");
  if (!meta || !meta.xmlurl) problems.push("feed has no link rel=self");
  entries.forEach((e, i) => {
    for (const k of ["id", "title", "updated", "link"]) if (!e[k]) problems.push(`entry ${i} has no ${k}`);
  });
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log(
    JSON.stringify({
      type: meta["#type"],
      id: atomFeed,
      title: meta.title,
      updated: meta.date.toISOString(),
      self: meta.xmlurl,
      entries,
    }),
  );
});
createReadStream(file).pipe(parser);
