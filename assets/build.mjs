// Builds the stylesheet and copies the scripts and fonts the pages use into
// scrutiny/static/build/. GOV.UK Frontend is compiled from Sass so that its
// reserved typeface (GDS Transport) is replaced by Noto Sans, shipped here.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "scrutiny", "static", "build");
const modules = join(root, "node_modules");
mkdirSync(join(out, "fonts"), { recursive: true });

const css = compile(join(root, "assets", "app.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
writeFileSync(join(out, "app.css"), css.css);

cpSync(join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(root, "assets", "documents.js"), join(out, "documents.js"));
for (const weight of ["400", "700"]) {
  for (const ext of ["woff2", "woff"]) {
    const name = `noto-sans-latin-${weight}-normal.${ext}`;
    cpSync(join(modules, "@fontsource", "noto-sans", "files", name), join(out, "fonts", name));
  }
}
console.log(`assets built in ${out}`);
