/**
 * Removal of the worker's outward-facing globals. Sent as source text (see `source.ts`):
 * {@linkcode removeGlobals} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics } from "./types.ts";

/**
 * Removes every global that reaches outside the process's computation (files, network,
 * processes, storage, raw messaging, Wasm, GPU) and memory the buffer budget cannot see. `Deno`
 * is then pinned to `undefined` (non-writable, non-configurable): runtime code that reads
 * `globalThis.Deno` must never meet one user code planted. Call before user code exists.
 */
export function removeGlobals(caps: Intrinsics): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const names = [
    "gc",
    "Deno",
    "process",
    "fetch",
    "Request",
    "Response",
    "WebSocket",
    "WebSocketStream",
    "EventSource",
    "WebTransport",
    "Worker",
    "SharedWorker",
    "caches",
    "CacheStorage",
    "Cache",
    "BroadcastChannel",
    "postMessage",
    "close",
    "onmessage",
    "onmessageerror",
    "importScripts",
    "navigator",
    "WorkerNavigator",
    "Navigator",
    "NavigatorUAData",
    "location",
    "WorkerLocation",
    "WebAssembly",
    "Blob",
    "File",
    "FileReader",
    "OffscreenCanvas",
    // These allocate off-heap memory the buffer budget cannot see (ImageData(w, h) makes a
    // w × h × 4 byte array; a decompression stream inflates a small input without bound), and
    // code analysis has no use for them.
    "ImageData",
    "CompressionStream",
    "DecompressionStream",
    "createImageBitmap",
    "ImageBitmap",
    "ImageBitmapRenderingContext",
    "Lock",
    "LockManager",
    "localStorage",
    "sessionStorage",
    "indexedDB",
    "XMLHttpRequest",
    "require",
    "Buffer",
    "setImmediate",
    "clearImmediate",
    "global",
  ];
  for (const key of Reflect.ownKeys(g)) {
    if (typeof key === "string" && key.startsWith("GPU")) names.push(key);
  }
  for (const key of names) {
    try {
      delete g[key];
    } catch {
      // Non-configurable: emptied below.
    }
    if (key in g || key === "Deno") {
      try {
        caps.defineProperty(g, key, { value: undefined, writable: false, configurable: false });
      } catch {
        // Nothing more can be done; the process wall still holds.
      }
    }
  }
}
