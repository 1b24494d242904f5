import { assertEquals } from "../_helpers/assert.ts";
import { classifyName, extensionOf, fileTypeOf, isSecretName } from "../../lib/loader/rules.ts";

Deno.test("extensionOf lower-cases and ignores a leading dot", () => {
  assertEquals(extensionOf("Main.PY"), ".py");
  assertEquals(extensionOf("archive.tar.gz"), ".gz");
  assertEquals(extensionOf(".gitignore"), "");
  assertEquals(extensionOf("Makefile"), "");
});

Deno.test("classifyName includes code, config, docs and well-known names", () => {
  for (const name of ["a.ts", "b.PY", "deno.jsonc", "x.mjs", "README.md", "Makefile", "go.mod"]) {
    assertEquals(classifyName(name), "include", name);
  }
  assertEquals(classifyName("Dockerfile.prod"), "include");
  assertEquals(classifyName("image.png"), "not_included");
  assertEquals(classifyName("deno.lock"), "not_included");
  assertEquals(classifyName(".gitignore"), "not_included");
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
  assertEquals(classifyName("id_rsa.pub"), "not_included");
});

Deno.test("fileTypeOf uses the extension, or the name for extensionless files", () => {
  assertEquals(fileTypeOf("App.TSX"), ".tsx");
  assertEquals(fileTypeOf("Makefile"), "Makefile");
  assertEquals(fileTypeOf("Dockerfile.dev"), "Dockerfile");
  assertEquals(fileTypeOf(".env.example"), ".env.example");
});
