import { assertEquals } from "../_helpers/assert.ts";
import { classifyName, extensionOf, fileTypeOf, isSecretName } from "../../lib/loader/rules.ts";

Deno.test("extensionOf lower-cases and ignores a leading dot", () => {
  assertEquals(extensionOf("Main.PY"), ".py");
  assertEquals(extensionOf("archive.tar.gz"), ".gz");
  assertEquals(extensionOf(".gitignore"), "");
  assertEquals(extensionOf("Makefile"), "");
});

Deno.test("classifyName reads every name except secrets, lockfiles and generated formats", () => {
  const read = [
    "a.ts",
    "b.PY",
    "view.ejs",
    "page.tmpl",
    "x.hbs",
    "types.pyi",
    "requirements.in",
    "LICENSE",
    "CITATION.cff",
    "BUILD",
    "rules.bzl",
    "build.gradle.kts",
    "prod.tfvars",
    "Dockerfile.prod",
    ".gitignore",
    "id_rsa.pub",
    "weird.unknownext",
  ];
  for (const name of read) assertEquals(classifyName(name), "include", name);
  for (const name of ["package-lock.json", "yarn.lock", "Cargo.lock", "go.sum", "deno.lock"]) {
    assertEquals(classifyName(name), "lockfile", name);
  }
  assertEquals(classifyName("app.min.js"), "minified");
  assertEquals(classifyName("style.min.css"), "minified");
  assertEquals(classifyName("app.js.map"), "generated");
  assertEquals(classifyName("image.png"), "binary");
  assertEquals(classifyName("admin.js"), "include"); // "min" inside a word is not minified
});

Deno.test("isSecretName catches env files and keys but lets templates through", () => {
  for (
    const name of [".env", ".env.local", ".env.production", "prod.env", "server.pem", "id_rsa"]
  ) {
    assertEquals(isSecretName(name), true, name);
    assertEquals(classifyName(name), "secret", name);
  }
  for (const name of [".env.example", ".env.sample", ".env.template", "example.env"]) {
    assertEquals(isSecretName(name), false, name);
  }
  assertEquals(classifyName(".env.example"), "include");
});

Deno.test("fileTypeOf uses the extension, or the name for extensionless files", () => {
  assertEquals(fileTypeOf("App.TSX"), ".tsx");
  assertEquals(fileTypeOf("Makefile"), "Makefile");
  assertEquals(fileTypeOf("Dockerfile.dev"), "Dockerfile");
  assertEquals(fileTypeOf(".env.example"), ".env.example");
});
