/** Where each page of the site lies, and the links between them and to the workspace's files. */

import { join } from "node:path";
import { href } from "../html.js";

export interface SitePaths {
  workspace: string;
  site: string;
}

export const itemFile = (paths: SitePaths, id: string) =>
  join(paths.site, "items", `${id.replace(/[^\w.-]/g, "_")}.html`);

export const bundleFile = (paths: SitePaths, bundle: string) =>
  join(paths.site, "bundles", `${bundle.replace(/[^\w.-]+/g, "--")}.html`);

/** A link from a page (absolute file) to a page or a workspace file (absolute). */
export const from = (pageFile: string, target: string) => href(join(pageFile, ".."), target);

/** A workspace-relative path as an absolute one. */
export const inWorkspace = (paths: SitePaths, rel: string) => join(paths.workspace, rel);
