// Reads LogQL queries as JSON lines on stdin; prints, per query, the offset of the first
// syntax error Grafana's own LogQL grammar finds, or null when it parses.
const { parser } = require("@grafana/lezer-logql");
const input = require("fs").readFileSync(0, "utf8");
for (const line of input.split("\n")) {
  if (!line) continue;
  let error = null;
  parser.parse(JSON.parse(line)).iterate({
    enter: (node) => {
      if (node.type.isError && error === null) error = node.from;
    },
  });
  console.log(JSON.stringify(error));
}
