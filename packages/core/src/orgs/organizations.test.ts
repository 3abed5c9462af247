import { describe, expect, it } from "vitest";
import { slugify } from "./organizations.ts";

describe("slugify", () => {
  it("keeps letters and digits, folds accents, and adds a unique suffix", () => {
    expect(slugify("Zoë's Café & Co.")).toMatch(/^zoe-s-cafe-co-[a-z2-7]{6}$/);
    expect(slugify("Acme")).not.toBe(slugify("Acme"));
  });

  it("still makes a slug from a name without any usable character", () => {
    expect(slugify("！！")).toMatch(/^org-[a-z2-7]{6}$/);
  });
});
