import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { app } from "./lib/app.svelte";

async function boot() {
  // In a plain browser during development there is no Tauri bridge; a mock stands in so the
  // screens can be looked at. The condition is false in a production build, which drops the mock.
  if (import.meta.env.DEV && !("__TAURI_INTERNALS__" in window)) {
    const { installMock } = await import("./lib/ipc/mock");
    installMock();
    // `?screen=map` opens a screen directly, for screenshots of the dev build.
    const screen = new URLSearchParams(location.search).get("screen");
    const { SCREENS } = await import("./lib/app.svelte");
    if (screen && (SCREENS as string[]).includes(screen)) app.screen = screen as (typeof SCREENS)[number];
  }
  // The first screen's requests go out now, so they overlap the first paint.
  app.ask();
  mount(App, { target: document.getElementById("app")! });
}

boot();
