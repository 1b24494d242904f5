import { assertEquals } from "./_helpers/assert.ts";
import { formatBudgetUsd, formatInt, formatUsd } from "../lib/format.ts";

Deno.test("formatInt() groups thousands, rounds, and keeps the sign", () => {
  assertEquals(
    [0, 7, 999, 1000, 12_345, 1_234_567.4, 1_234_567.5, -9_876_543].map(formatInt),
    ["0", "7", "999", "1,000", "12,345", "1,234,567", "1,234,568", "-9,876,543"],
  );
});

Deno.test("formatUsd() always shows four decimals, so sub-cent spend is never $0.00", () => {
  assertEquals([0, 0.00004, 0.01234, 1.5, 12.34].map(formatUsd), [
    "$0.0000",
    "$0.0000",
    "$0.0123",
    "$1.5000",
    "$12.3400",
  ]);
});

Deno.test("formatBudgetUsd() shows cents from a dollar up, four decimals below", () => {
  assertEquals([0.005, 0.5, 0.99999, 1, 2, 12.3].map(formatBudgetUsd), [
    "$0.0050",
    "$0.5000",
    "$1.0000",
    "$1.00",
    "$2.00",
    "$12.30",
  ]);
});
