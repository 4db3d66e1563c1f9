import { describe, expect, it } from "vitest";
import type { MajorCategory } from "$lib/ipc";
import { flatten, loadRecent, rememberRecent, searchCategories } from "./categories";

const tree: MajorCategory[] = [
  { kind: "component", code: "01", name_zh: "公用设施", name_en: "Public utilities", minors: [
    { code: "10101", minor: "01", source: "test", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { normal: { hours: 24 }, source: "test" } },
    { code: "10102", minor: "02", source: "test", name_zh: "污水井盖", name_en: "Sewage manhole cover", deadline: null },
  ] },
  { kind: "event", code: "01", name_zh: "市容环境", name_en: "City appearance", minors: [
    { code: "20102", minor: "02", source: "test", name_zh: "暴露垃圾", name_en: "Exposed garbage", deadline: { normal: { working_days: 1 }, source: "test" } },
  ] },
];
const options = flatten(tree);
const codes = (q: string, recent: string[] = []) => searchCategories(options, q, recent).map((o) => o.minor.code);

describe("category search", () => {
  it("finds by Chinese name, English name and code", () => {
    expect(codes("井盖")).toEqual(["10101", "10102"]);
    expect(codes("garbage")).toEqual(["20102"]);
    expect(codes("20102"), "a code finds its minor").toEqual(["20102"]);
    expect(codes("0102"), "the standard's MMmm finds its minor of either kind").toEqual(["10102", "20102"]);
    expect(codes("01"), "a code prefix finds all its minors").toEqual(["10101", "10102", "20102"]);
    expect(codes("市容"), "a major's name finds its minors").toEqual(["20102"]);
  });

  it("puts recent categories first", () => {
    expect(codes("", ["20102"])).toEqual(["20102", "10101", "10102"]);
    expect(codes("井盖", ["10102"])).toEqual(["10102", "10101"]);
  });

  it("remembers recent use on this device, newest first, without repeats", () => {
    localStorage.clear();
    rememberRecent("10101");
    rememberRecent("20102");
    rememberRecent("10101");
    expect(loadRecent()).toEqual(["10101", "20102"]);
    localStorage.setItem("gridpatrol.recentCategories", "not json");
    expect(loadRecent(), "a broken value is ignored").toEqual([]);
  });
});
