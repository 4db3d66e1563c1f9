import { describe, expect, it } from "vitest";
import { app } from "./app.svelte";

describe("going to a finding and back", () => {
  it("goes back to the screen the finding was opened from", () => {
    app.go("logs");
    app.showFinding("f1");
    expect(app.screen).toBe("findings");
    expect(app.detailId).toBe("f1");
    app.closeFinding();
    expect(app.screen, "back to the weekly log it came from").toBe("logs");
    expect(app.detailId).toBeNull();
  });

  it("stays on the findings list when opened from it", () => {
    app.go("findings");
    app.showFinding("f2");
    app.closeFinding();
    expect(app.screen).toBe("findings");
    expect(app.detailId).toBeNull();
  });
});
