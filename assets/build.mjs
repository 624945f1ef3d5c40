// Builds the stylesheet and copies the scripts and fonts the pages use into
// scrutiny/static/build/. GOV.UK Frontend is compiled from Sass so that its
// reserved typeface (GDS Transport) is replaced by Noto Sans, shipped here.
import { compile } from "sass";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
cpSync(join(root, "assets", "survey.js"), join(out, "survey.js"));
for (const weight of ["400", "700"]) {
  for (const ext of ["woff2", "woff"]) {
    const name = `noto-sans-latin-${weight}-normal.${ext}`;
    cpSync(join(modules, "@fontsource", "noto-sans", "files", name), join(out, "fonts", name));
  }
}

// Fonts for the other scripts of the council's languages: one stylesheet per
// script (fonts/<name>.css), linked only by pages in a language that needs it
// (scrutiny.i18n.script_stylesheet), so an English page downloads none. Each
// face keeps Fontsource's unicode-range, so a page fetches a file only once it
// shows a character of that script. PDFs take the same files (templates/pdf,
// scrutiny.i18n.pdf_fonts); Urdu's PDFs use Naskh, whose text layer extracts.
const scripts = {
  arabic: [["noto-sans-arabic", "Noto Sans Arabic", "arabic"]],
  bengali: [["noto-sans-bengali", "Noto Sans Bengali", "bengali"]],
  gujarati: [["noto-sans-gujarati", "Noto Sans Gujarati", "gujarati"]],
  gurmukhi: [["noto-sans-gurmukhi", "Noto Sans Gurmukhi", "gurmukhi"]],
  urdu: [["noto-nastaliq-urdu", "Noto Nastaliq Urdu", "arabic"]],
  "latin-ext": [["noto-sans", "Noto Sans", "latin-ext"]],
  pdf: [["noto-naskh-arabic", "Noto Naskh Arabic", "arabic"]],  // PDFs only: no stylesheet needed
};

function unicodeRange(pkg, subset, weight) {
  // Fontsource's per-weight stylesheet holds each subset's range after its comment.
  const css = readFileSync(join(modules, "@fontsource", pkg, `${weight}.css`), "utf8");
  const block = css.split(`/* ${pkg}-${subset}-${weight}-normal */`)[1];
  const match = block && block.split("}")[0].match(/unicode-range:\s*([^;]+);/);
  if (!match) throw new Error(`no unicode-range for ${pkg} ${subset} ${weight}`);
  return match[1].trim();
}

for (const [name, faces] of Object.entries(scripts)) {
  const rules = [];
  for (const [pkg, family, subset] of faces) {
    for (const weight of ["400", "700"]) {
      const file = `${pkg}-${subset}-${weight}-normal.woff2`;
      cpSync(join(modules, "@fontsource", pkg, "files", file), join(out, "fonts", file));
      rules.push(`@font-face{font-family:"${family}";font-style:normal;font-weight:${weight};font-display:swap;` +
                 `src:url(${file}) format("woff2");unicode-range:${unicodeRange(pkg, subset, weight)}}`);
    }
  }
  // The page's font stack (assets/app.scss) tries this family after Noto Sans.
  const family = faces[0][1];
  if (family !== "Noto Sans") rules.push(`:root{--app-script-font:"${family}",arial}`);
  if (name !== "pdf") writeFileSync(join(out, "fonts", `${name}.css`), rules.join("\n") + "\n");
}
console.log(`assets built in ${out}`);
