/**
 * Counts from a JUnit XML report (pytest --junitxml, node --test's junit reporter, and the many tools
 * that write one): every <testcase>, at any depth, is passed, failed (<failure>), an error (<error>)
 * or skipped (<skipped>). Tests a name filter left out are not counted at all.
 */

import { readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import type { TestCounts } from "./runner.js";

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  isArray: (name) => ["testsuites", "testsuite", "testcase", "failure", "error", "skipped"].includes(name),
});

/** node --test marks the tests its --test-name-pattern leaves out as skipped with this message. */
const FILTERED_OUT = "test name does not match pattern";

function testcases(node: unknown, found: XmlNode[]): XmlNode[] {
  if (Array.isArray(node)) {
    for (const n of node) testcases(n, found);
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node as XmlNode)) {
      if (key === "testcase") found.push(...(value as XmlNode[]));
      else if (key === "testsuite" || key === "testsuites") testcases(value, found);
    }
  }
  return found;
}

export interface JunitCase {
  name: string;
  classname: string;
  outcome: "passed" | "failed" | "error" | "skipped" | "filtered";
}

/** Every test case of a report, in report order. */
export function readJunitCases(xml: string): JunitCase[] {
  const doc = parser.parse(xml) as XmlNode;
  return testcases(doc, []).map((tc) => {
    const skipped = tc.skipped as XmlNode[] | undefined;
    const message = skipped ? String((skipped[0] as XmlNode)?.["@_message"] ?? "") : "";
    const outcome: JunitCase["outcome"] = tc.failure
      ? "failed"
      : tc.error
        ? "error"
        : skipped
          ? message === FILTERED_OUT
            ? "filtered"
            : "skipped"
          : "passed";
    return { name: String(tc["@_name"] ?? ""), classname: String(tc["@_classname"] ?? ""), outcome };
  });
}

export function junitCounts(cases: JunitCase[]): TestCounts {
  const count = (o: JunitCase["outcome"]) => cases.filter((c) => c.outcome === o).length;
  return {
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    errors: count("error"),
  };
}

/** The counts of a report file, or null when the runner wrote none (or not XML). */
export function junitFileCounts(path: string): TestCounts | null {
  let xml: string;
  try {
    xml = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  if (!xml.trim().startsWith("<")) return null;
  return junitCounts(readJunitCases(xml));
}
