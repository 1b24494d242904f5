/**
 * A loopback HTTP server that serves a folder read-only, for running deeprepo from a URL.
 *
 * @module
 */

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, for `--allow-import`. */
  host: string;
  /** Paths requested so far. */
  requested: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".json": "application/json",
};

/** Serves `root` on 127.0.0.1 at a free port. */
export function serveFolder(root: string): StaticServer {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requested.push(path);
    if (path.split("/").includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(`${root}${path}`);
      const ext = path.slice(path.lastIndexOf("."));
      return new Response(body, {
        headers: { "content-type": TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requested,
    close: () => server.shutdown(),
  };
}
