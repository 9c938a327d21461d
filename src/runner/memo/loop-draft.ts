/**
 * The imported loop as written out: only the fields the memo sets, in the schema's order, as YAML
 * that reads like a hand-written loop file, with what was not mapped as closing comments.
 */

import { Document, isScalar, isSeq, visit } from "yaml";
import type { LoopFile } from "../load/loop.js";

export const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/** The object without its undefined keys, in the order given (the schema's order). */
export function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** Lists of words read best on one line, as loop files are written by hand. */
const FLOW_LISTS = new Set(["run", "args", "capture", "streams"]);

export function loopYaml(loop: LoopFile, unmapped: string[], source: string): string {
  const doc = new Document(loop);
  visit(doc, {
    Pair(_, pair) {
      const list = pair.value;
      if (isScalar(pair.key) && FLOW_LISTS.has(String(pair.key.value)) && isSeq(list)) {
        list.flow = list.items.every((item) => isScalar(item));
      }
    },
  });
  doc.commentBefore = ` draft imported from ${source}: review the items listed at the end`;
  if (unmapped.length > 0) {
    const lines = unmapped.flatMap((entry) =>
      entry.split("\n").map((line, i) => (i === 0 ? ` - ${line}` : `   ${line}`)),
    );
    doc.comment = [" not mapped:", ...lines].join("\n");
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
