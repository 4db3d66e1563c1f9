// Component tests run in jsdom; localStorage is per test file, so each test starts clean.
import { afterEach } from "vitest";

afterEach(() => {
  localStorage.clear();
});
