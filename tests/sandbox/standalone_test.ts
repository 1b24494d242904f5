/**
 * The `deno compile` path: the sandbox process is the deeprepo program itself, started with
 * every permission and SANDBOX_MODE_ARG; `runSandboxChild()` must revoke them all first.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { SANDBOX_MODE_ARG } from "../../lib/sandbox/child_entry.ts";
import { SandboxRepl } from "../../lib/sandbox/repl.ts";
import { childCommand } from "../../lib/sandbox/process.ts";

const entry = new URL("./fixtures/standalone_entry.ts", import.meta.url).pathname;

Deno.test("revokeAllPermissions leaves a fully permitted process with nothing", async () => {
  const script = `import { revokeAllPermissions } from ${
    JSON.stringify(new URL("../../lib/sandbox/child_entry.ts", import.meta.url).href)
  };
await revokeAllPermissions();
const states = [];
for (const name of ["read", "write", "net", "env", "run", "ffi", "sys"]) {
  states.push(name + "=" + (await Deno.permissions.query({ name })).state);
}
try { Deno.readTextFileSync("/etc/hostname"); states.push("read allowed"); } catch (e) { states.push(e.name); }
console.log(states.join(" "));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(
    text,
    "read=prompt write=prompt net=prompt env=prompt run=prompt ffi=prompt sys=prompt NotCapable",
  );
});

Deno.test("a REPL whose process is the program itself in sandbox mode works and is walled", async () => {
  const repl = new SandboxRepl({
    codebase: { "a.ts": "1" },
    fileTree: "a.ts",
    metadata: {},
    onSubQuery: (prompts) => Promise.resolve(prompts.map((p) => `re:${p}`)),
    execTimeoutSeconds: 1,
  }, {
    command: {
      command: Deno.execPath(),
      args: ["run", "--allow-all", "--no-config", "--no-lock", entry, SANDBOX_MODE_ARG],
      // The environment a compiled binary gives its sandbox child (heap limit, --expose-gc, the
      // unreachable DENO_DIR).
      env: childCommand(256, true).env,
    },
  });
  try {
    await repl.start();
    const r = await repl.execute("print(await llm_query('x'), Object.keys(codebase), typeof Deno)");
    assertEquals(r.output, 're:x [ "a.ts" ] undefined\n');
    const timedOut = await repl.execute("while (true) {}");
    assertEquals(timedOut.fatal?.kind, "timeout");
    const next = await repl.execute("1 + 1");
    assertEquals(next.value, "2");
    const escape = await repl.execute("await eval('imp' + 'ort(\"node:fs\")')");
    assertMatch(escape.error?.message ?? "", /not allowed/);
    const gc = await repl.execute("typeof gc");
    assertEquals(gc.value, "undefined");
  } finally {
    await repl.close();
  }
});
