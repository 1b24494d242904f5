import { assertEquals } from "../_helpers/assert.ts";
import { formatInt } from "../../lib/report/numbers.ts";

Deno.test("formatInt() groups thousands, rounds, and keeps the sign", () => {
  assertEquals(
    [0, 7, 999, 1000, 12_345, 1_234_567.4, 1_234_567.5, -9_876_543].map(formatInt),
    ["0", "7", "999", "1,000", "12,345", "1,234,567", "1,234,568", "-9,876,543"],
  );
});
