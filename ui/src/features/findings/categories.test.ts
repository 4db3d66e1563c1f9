import { describe, expect, it } from "vitest";
import type { MajorCategory } from "$lib/ipc";
import { flatten, loadRecent, rememberRecent, searchCategories } from "./categories";

const tree: MajorCategory[] = [
  { kind: "component", code: "01", name_zh: "公用设施", name_en: "Public utilities", minors: [
    { code: "0101", name_zh: "上水井盖", name_en: "Water supply manhole cover", deadline: { hours: 24 } },
    { code: "0102", name_zh: "污水井盖", name_en: "Sewage manhole cover", deadline: null },
  ] },
  { kind: "event", code: "01", name_zh: "市容环境", name_en: "City appearance", minors: [
    { code: "0151", name_zh: "暴露垃圾", name_en: "Exposed garbage", deadline: { working_days: 1 } },
  ] },
];
const options = flatten(tree);
const codes = (q: string, recent: string[] = []) => searchCategories(options, q, recent).map((o) => o.minor.code);

describe("category search", () => {
  it("finds by Chinese name, English name and code", () => {
    expect(codes("井盖")).toEqual(["0101", "0102"]);
    expect(codes("garbage")).toEqual(["0151"]);
    expect(codes("0151"), "a 4-digit code finds its minor").toEqual(["0151"]);
    expect(codes("01"), "a code prefix finds all its minors").toEqual(["0101", "0102", "0151"]);
    expect(codes("市容"), "a major's name finds its minors").toEqual(["0151"]);
  });

  it("puts recent categories first", () => {
    expect(codes("", ["0151"])).toEqual(["0151", "0101", "0102"]);
    expect(codes("井盖", ["0102"])).toEqual(["0102", "0101"]);
  });

  it("remembers recent use on this device, newest first, without repeats", () => {
    localStorage.clear();
    rememberRecent("0101");
    rememberRecent("0151");
    rememberRecent("0101");
    expect(loadRecent()).toEqual(["0101", "0151"]);
    localStorage.setItem("gridpatrol.recentCategories", "not json");
    expect(loadRecent(), "a broken value is ignored").toEqual([]);
  });
});
