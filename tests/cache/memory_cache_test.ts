import { MemoryCache } from "../../lib/cache/memory.ts";
import { cacheConformance } from "./cache_conformance.ts";

cacheConformance(
  "MemoryCache",
  (now) => Promise.resolve({ cache: new MemoryCache({ now }), cleanup: () => Promise.resolve() }),
);
