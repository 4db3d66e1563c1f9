#!/usr/bin/env python3
"""Writes crates/core/data/sample-registry.geojson: the reference city's SAMPLE grid registry.

11 large grids and 239 small grids over the urban area around 37.38°N, 117.97°E. The shapes and
names are made up for demonstration and tests; they are not the city's real registry. The grids
tile the area without overlapping: the area is cut into three bands of large grids, each large grid
into columns, each column into small grids. Deterministic: running it again writes the same file.
"""
import json, pathlib

WEST, EAST, SOUTH, NORTH = 117.925, 118.015, 37.350, 37.410
LARGE_NAMES = ["黄河", "渤海", "新立河", "秦皇河", "长江", "黄河五路", "渤海七路", "北海", "梧桐", "鼓楼", "蒲湖"]
LEADS = ["王建国", "刘志强", "陈海波", "杨立新", "赵国庆", "黄永明", "周文华", "吴振东", "徐卫东", "孙德胜", "马俊峰"]
SURNAMES = "李张王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["明", "娜", "伟", "静", "磊", "敏", "强", "丽", "军", "燕", "涛", "芳", "勇", "霞", "杰", "红", "斌", "玲", "鹏", "洁"]
# Band (row) layout of the large grids: two bands of four, one of three.
BANDS = [4, 4, 3]
# Small grids per large grid, column by column: 8 large grids of 22 and 3 of 21 = 239.
COLUMNS = {22: [5, 6, 5, 6], 21: [5, 5, 5, 6]}


def r(x):
    return round(x, 6)


def rect(w, s, e, n):
    return {"type": "Polygon", "coordinates": [[[r(w), r(s)], [r(e), r(s)], [r(e), r(n)], [r(w), r(n)], [r(w), r(s)]]]}


def officer(i):
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + ("" if i < 60 else str(i // 60))


features = []
band_h = (NORTH - SOUTH) / len(BANDS)
large_index = 0
small_total = 0
for band, count in enumerate(BANDS):
    n = NORTH - band * band_h
    s = n - band_h
    width = (EAST - WEST) / count
    for k in range(count):
        w = WEST + k * width
        e = w + width
        large_index += 1
        code = f"371602{large_index:03d}"
        name = f"{LARGE_NAMES[large_index - 1]}大网格"
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": name, "parent": None, "owners": [LEADS[large_index - 1]], "sample": True},
            "geometry": rect(w, s, e, n),
        })
        per_large = 22 if large_index <= 8 else 21
        columns = COLUMNS[per_large]
        col_w = (e - w) / len(columns)
        cell = 0
        for c, rows in enumerate(columns):
            cw, ce = w + c * col_w, w + (c + 1) * col_w
            row_h = (n - s) / rows
            for rr in range(rows):
                cell += 1
                cn = n - rr * row_h
                cs = cn - row_h
                owners = [officer(small_total // 4)]
                if small_total % 5 == 0:
                    owners.append(officer(small_total // 4 + 1))
                features.append({
                    "type": "Feature",
                    "properties": {
                        "code": f"{code}001{cell:02d}",
                        "name": f"{LARGE_NAMES[large_index - 1]}第{cell:02d}网格",
                        "parent": code,
                        "owners": owners,
                        "sample": True,
                    },
                    "geometry": rect(cw, cs, ce, cn),
                })
                small_total += 1

assert large_index == 11 and small_total == 239, (large_index, small_total)
doc = {
    "type": "FeatureCollection",
    "name": "SAMPLE DATA — 示例数据：参考城市网格（11 个大网格、239 个小网格），非真实网格库",
    "sample": True,
    "features": features,
}
out = pathlib.Path(__file__).resolve().parent.parent / "crates/core/data/sample-registry.geojson"
out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
print(f"wrote {out} ({len(features)} features)")
